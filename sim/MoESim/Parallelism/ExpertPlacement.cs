namespace MoESim.Parallelism;

/// <summary>
/// Where every routed expert of every MoE layer lives: per layer and expert, one or more
/// replicas on devices, each serving a weighted share of the expert's tokens. Immutable; the
/// constructor checks structure (every expert placed, devices in range, weights positive and
/// summing to 1) and throws <see cref="ArgumentException"/>; file loaders report the same
/// problems as input errors with file and line.
/// </summary>
public sealed class ExpertPlacement
{
    private const double WeightSumTolerance = 1e-6;
    private readonly ExpertReplica[] _replicas;
    private readonly int[] _start; // [layer * experts + expert] -> first replica; one extra entry at the end

    /// <param name="numDevices">Devices the experts are spread over, ≥ 1.</param>
    /// <param name="replicas">[layer][expert] -> replicas of that expert.</param>
    /// <param name="strategy">Name of the strategy that produced the placement, for reports.</param>
    public ExpertPlacement(int numDevices, IReadOnlyList<IReadOnlyList<IReadOnlyList<ExpertReplica>>> replicas, string strategy)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numDevices, 1);
        ArgumentNullException.ThrowIfNull(replicas);
        if (replicas.Count == 0) throw new ArgumentException("a placement needs at least one MoE layer", nameof(replicas));
        NumDevices = numDevices;
        NumMoeLayers = replicas.Count;
        NumExperts = replicas[0].Count;
        Strategy = strategy;
        if (NumExperts == 0) throw new ArgumentException("a placement needs at least one expert per layer", nameof(replicas));
        _start = new int[NumMoeLayers * NumExperts + 1];
        var all = new List<ExpertReplica>(NumMoeLayers * NumExperts);
        for (var layer = 0; layer < NumMoeLayers; layer++)
        {
            if (replicas[layer].Count != NumExperts)
                throw new ArgumentException($"layer {layer} places {replicas[layer].Count} experts; layer 0 places {NumExperts}", nameof(replicas));
            for (var e = 0; e < NumExperts; e++)
            {
                _start[layer * NumExperts + e] = all.Count;
                var list = replicas[layer][e];
                if (list.Count == 0) throw new ArgumentException($"layer {layer} expert {e} has no device", nameof(replicas));
                var sum = 0.0;
                foreach (var r in list)
                {
                    if (r.Device < 0 || r.Device >= numDevices)
                        throw new ArgumentException($"layer {layer} expert {e}: device {r.Device} is not in 0..{numDevices - 1}", nameof(replicas));
                    if (!(r.Weight > 0) || r.Weight > 1 + WeightSumTolerance)
                        throw new ArgumentException($"layer {layer} expert {e}: replica weight {r.Weight} is not in (0, 1]", nameof(replicas));
                    sum += r.Weight;
                    all.Add(r);
                }
                if (Math.Abs(sum - 1) > WeightSumTolerance)
                    throw new ArgumentException($"layer {layer} expert {e}: replica weights sum to {sum}, not 1", nameof(replicas));
            }
        }
        _start[^1] = all.Count;
        _replicas = all.ToArray();
    }

    public int NumDevices { get; }
    public int NumMoeLayers { get; }
    public int NumExperts { get; }
    /// <summary>Strategy that produced the placement (e.g. "round-robin", "greedy", "ilp").</summary>
    public string Strategy { get; }

    /// <summary>Replicas of one expert.</summary>
    public ReadOnlySpan<ExpertReplica> Replicas(int layer, int expert)
    {
        var i = layer * NumExperts + expert;
        return _replicas.AsSpan(_start[i], _start[i + 1] - _start[i]);
    }

    /// <summary>Expert copies (replicas) held by <paramref name="device"/> in <paramref name="layer"/>.</summary>
    public int SlotsUsed(int layer, int device)
    {
        var n = 0;
        for (var e = 0; e < NumExperts; e++)
            foreach (var r in Replicas(layer, e))
                if (r.Device == device) n++;
        return n;
    }

    /// <summary>
    /// Experts in contiguous blocks: expert e of every layer on device e·devices/experts, one
    /// copy each. What most serving engines do by default.
    /// </summary>
    public static ExpertPlacement Contiguous(int numMoeLayers, int numExperts, int numDevices)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numMoeLayers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numExperts, 1);
        var layers = new IReadOnlyList<ExpertReplica>[numMoeLayers][];
        for (var l = 0; l < numMoeLayers; l++)
        {
            layers[l] = new IReadOnlyList<ExpertReplica>[numExperts];
            for (var e = 0; e < numExperts; e++)
                layers[l][e] = new[] { new ExpertReplica((int)((long)e * numDevices / numExperts), 1.0) };
        }
        return new ExpertPlacement(numDevices, layers, "contiguous");
    }
}
