namespace MoESim.Parallelism;

/// <summary>
/// Picks which replica of an expert serves a token, deterministically: the replica on the
/// token's own device when there is one (no transfer at all), otherwise smooth weighted
/// round-robin over the expert's replicas (each pick adds every replica's weight to its credit,
/// takes the replica with the most credit and charges it 1). Over many tokens each replica gets
/// its weight's share, and the sequence depends only on the order of calls. Allocation-free.
/// </summary>
public sealed class ReplicaSelector
{
    private readonly ExpertPlacement _placement;
    private readonly int[] _start;      // [layer * experts + expert] -> offset into _credit
    private readonly double[] _credit;

    /// <summary>A selector over <paramref name="placement"/>, with every credit at zero.</summary>
    public ReplicaSelector(ExpertPlacement placement)
    {
        ArgumentNullException.ThrowIfNull(placement);
        _placement = placement;
        int cells = placement.NumMoeLayers * placement.NumExperts;
        _start = new int[cells + 1];
        int offset = 0;
        for (int layer = 0; layer < placement.NumMoeLayers; layer++)
        {
            for (int e = 0; e < placement.NumExperts; e++)
            {
                _start[layer * placement.NumExperts + e] = offset;
                offset += placement.Replicas(layer, e).Length;
            }
        }
        _start[cells] = offset;
        _credit = new double[offset];
    }

    /// <summary>The placement choices are made over.</summary>
    public ExpertPlacement Placement => _placement;

    /// <summary>Device that serves token-expert pair (<paramref name="layer"/>, <paramref name="expert"/>) for a token living on <paramref name="homeDevice"/>.</summary>
    public int Choose(int layer, int expert, int homeDevice) =>
        _placement.Replicas(layer, expert)[ChooseReplica(layer, expert, homeDevice)].Device;

    /// <summary>
    /// As <see cref="Choose"/>, the index of the chosen replica among
    /// <see cref="ExpertPlacement.Replicas"/>(<paramref name="layer"/>, <paramref name="expert"/>)
    /// (the first one on the token's device when it has one).
    /// </summary>
    public int ChooseReplica(int layer, int expert, int homeDevice)
    {
        var replicas = _placement.Replicas(layer, expert);
        if (replicas.Length == 1) return 0;
        for (int i = 0; i < replicas.Length; i++)
            if (replicas[i].Device == homeDevice) return i;
        int offset = _start[layer * _placement.NumExperts + expert];
        int best = 0;
        double bestCredit = double.NegativeInfinity;
        for (int i = 0; i < replicas.Length; i++)
        {
            double c = _credit[offset + i] += replicas[i].Weight;
            // Strict '>' keeps the first replica on ties, so the order is deterministic.
            if (c > bestCredit)
            {
                bestCredit = c;
                best = i;
            }
        }
        _credit[offset + best] -= 1.0;
        return best;
    }
}
