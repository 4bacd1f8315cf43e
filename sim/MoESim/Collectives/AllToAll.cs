namespace MoESim.Collectives;

/// <summary>
/// All-to-all with an arbitrary per-pair byte matrix (MoE dispatch and combine): every rank
/// sends <c>bytes[src × ranks + dst]</c> to every other rank at once, one flow per pair over the
/// topology route, all sharing links max-min fair. Done when the last flow arrives.
/// </summary>
public sealed class AllToAll : Collective
{
    private long[] _bytes = [];

    /// <summary>An all-to-all over <paramref name="participants"/> (all GPUs when null).</summary>
    public AllToAll(TopologyNetwork network, IReadOnlyList<int>? participants = null) : base(network, participants)
    {
    }

    /// <inheritdoc/>
    protected override int PhaseCount => 1;

    /// <summary>
    /// Starts the exchange: <paramref name="bytes"/> has ranks × ranks entries (≥ 0), row = sender
    /// rank, column = receiver rank; the diagonal (local data) is not sent. It is copied, so the
    /// caller may reuse its buffer. <paramref name="onDone"/> gets (<paramref name="kind"/>, <paramref name="arg"/>) when all data has arrived.
    /// </summary>
    public void Start(ReadOnlySpan<long> bytes, Engine.IEventTarget? onDone, int kind = 0, long arg = 0)
    {
        int n = Ranks;
        if (bytes.Length != n * n) throw new ArgumentException($"expected {n}×{n} = {n * n} entries, got {bytes.Length}", nameof(bytes));
        if (_bytes.Length != bytes.Length) _bytes = new long[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] < 0) throw new ArgumentOutOfRangeException(nameof(bytes), bytes[i], $"entry {i} is negative");
            _bytes[i] = bytes[i];
        }
        Begin(onDone, kind, arg);
    }

    /// <inheritdoc/>
    protected override void StartPhase(int phase)
    {
        var ranks = Participants;
        int n = ranks.Length;
        for (int s = 0; s < n; s++)
            for (int d = 0; d < n; d++)
                Send(ranks[s], ranks[d], _bytes[s * n + d]);
    }
}
