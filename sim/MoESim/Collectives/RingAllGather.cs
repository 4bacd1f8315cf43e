namespace MoESim.Collectives;

/// <summary>
/// Ring all-gather: each of p ranks holds a shard of S bytes and ends with all p shards, in
/// p − 1 synchronous phases where rank i forwards one shard to rank i + 1. On an NVSwitch node
/// the time is (p − 1) × (route latency + S / link bandwidth).
/// </summary>
public sealed class RingAllGather : Collective
{
    private long _shardBytes;

    /// <summary>An all-gather over <paramref name="participants"/> in ring order (all GPUs when null), timed by <paramref name="model"/> (by the system's size when null).</summary>
    public RingAllGather(TopologyNetwork network, IReadOnlyList<int>? participants = null, CollectiveModel? model = null) : base(network, participants, model)
    {
    }

    /// <inheritdoc/>
    protected override int PhaseCount => Math.Max(1, Ranks - 1);

    /// <summary>Starts gathering shards of <paramref name="shardBytes"/> (≥ 0) from every rank; <paramref name="onDone"/> gets (<paramref name="kind"/>, <paramref name="arg"/>) when every rank has them all.</summary>
    public void Start(long shardBytes, Engine.IEventTarget? onDone, int kind = 0, long arg = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(shardBytes);
        _shardBytes = shardBytes;
        Begin(onDone, kind, arg);
    }

    /// <inheritdoc/>
    protected override void StartPhase(int phase)
    {
        var ranks = Participants;
        for (int i = 0; i < ranks.Length; i++)
            Send(ranks[i], ranks[(i + 1) % ranks.Length], _shardBytes);
    }
}
