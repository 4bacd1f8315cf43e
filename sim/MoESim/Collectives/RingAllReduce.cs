namespace MoESim.Collectives;

/// <summary>
/// Ring all-reduce of a buffer of B bytes held by each of p ranks: reduce-scatter then
/// all-gather, 2(p − 1) synchronous phases in each of which rank i sends a B/p chunk to rank
/// i + 1. On an NVSwitch node every phase uses each GPU's link once in each direction, so the
/// time is 2(p − 1) × (route latency + B/(p × link bandwidth)): NCCL's ring bound. NVLink
/// SHARP (in-switch reduction, NCCL's NVLS) would halve the bytes on the wire and is not
/// modelled. Reduction arithmetic is not timed (it hides under the transfers on GPUs).
/// </summary>
public sealed class RingAllReduce : Collective
{
    private long _chunkBytes;

    /// <summary>An all-reduce over <paramref name="participants"/> in ring order (all GPUs when null), timed by <paramref name="model"/> (by the system's size when null).</summary>
    public RingAllReduce(TopologyNetwork network, IReadOnlyList<int>? participants = null, CollectiveModel? model = null) : base(network, participants, model)
    {
    }

    /// <inheritdoc/>
    protected override int PhaseCount => Math.Max(1, 2 * (Ranks - 1));

    /// <summary>Starts reducing <paramref name="bytesPerRank"/> (≥ 0) bytes held by every rank; <paramref name="onDone"/> gets (<paramref name="kind"/>, <paramref name="arg"/>) when every rank has the sum.</summary>
    public void Start(long bytesPerRank, Engine.IEventTarget? onDone, int kind = 0, long arg = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytesPerRank);
        _chunkBytes = (bytesPerRank + Ranks - 1) / Ranks;
        Begin(onDone, kind, arg);
    }

    /// <inheritdoc/>
    protected override void StartPhase(int phase)
    {
        var ranks = Participants;
        for (int i = 0; i < ranks.Length; i++)
            Send(ranks[i], ranks[(i + 1) % ranks.Length], _chunkBytes);
    }
}
