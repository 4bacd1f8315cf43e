using MoESim.Hardware.Topology;

namespace MoESim.Collectives;

/// <summary>
/// All-to-all with an arbitrary per-pair byte matrix (MoE dispatch and combine): every rank
/// sends <c>bytes[src × ranks + dst]</c> to every other rank at once, as flows over the topology
/// that share links max-min fair (see <see cref="AllToAllAlgorithm"/> for how cross-machine data
/// travels). Done when the last byte has arrived.
/// </summary>
public sealed class AllToAll : Collective
{
    private readonly AllToAllAlgorithm _algorithm;
    private readonly int[] _machine;     // per rank
    private readonly int[] _railPeer;    // [rank * machines + machine] -> rank of the same local index there, or -1
    private readonly int _machines;
    private readonly int[] _inbound;    // per rank: fabric flows still to arrive before it forwards
    private long[] _bytes = [];

    /// <summary>
    /// An all-to-all over <paramref name="participants"/> (all GPUs when null) using
    /// <paramref name="algorithm"/>; rail forwarding needs every GPU of the system to take part and
    /// every machine to have the same GPU count, and falls back to direct flows otherwise.
    /// </summary>
    public AllToAll(TopologyNetwork network, IReadOnlyList<int>? participants = null, AllToAllAlgorithm algorithm = AllToAllAlgorithm.Direct)
        : base(network, participants)
    {
        var topology = network.Topology;
        _machines = topology.MachineCount;
        var perMachine = new int[_machines];
        var local = new int[topology.DeviceCount];
        foreach (var d in topology.Devices) local[d.Index] = perMachine[d.Machine]++;
        bool uniform = perMachine.All(c => c == perMachine[0]);
        _algorithm = algorithm == AllToAllAlgorithm.RailForwarded && uniform && Ranks == topology.DeviceCount && _machines > 1
            ? AllToAllAlgorithm.RailForwarded : AllToAllAlgorithm.Direct;
        var ranks = Participants;
        _machine = new int[Ranks];
        _railPeer = new int[Ranks * _machines];
        Array.Fill(_railPeer, -1);
        _inbound = new int[Ranks];
        for (int r = 0; r < Ranks; r++) _machine[r] = topology.Devices[ranks[r]].Machine;
        for (int r = 0; r < Ranks; r++)
            for (int q = 0; q < Ranks; q++)
                if (local[ranks[q]] == local[ranks[r]]) _railPeer[r * _machines + _machine[q]] = q;
    }

    /// <summary>The algorithm in use (after any fallback to direct).</summary>
    public AllToAllAlgorithm Algorithm => _algorithm;

    /// <summary>Off-diagonal bytes of the last matrix: what left each GPU for another, each byte counted once.</summary>
    public long LastMatrixBytes { get; private set; }

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
        long total = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] < 0) throw new ArgumentOutOfRangeException(nameof(bytes), bytes[i], $"entry {i} is negative");
            _bytes[i] = bytes[i];
            if (i / n != i % n) total += bytes[i];
        }
        LastMatrixBytes = total;
        Begin(onDone, kind, arg);
    }

    /// <inheritdoc/>
    protected override void StartPhase(int phase)
    {
        var ranks = Participants;
        int n = ranks.Length;
        for (int s = 0; s < n; s++)
        {
            if (_algorithm == AllToAllAlgorithm.Direct)
            {
                for (int d = 0; d < n; d++) Send(ranks[s], ranks[d], _bytes[s * n + d]);
                continue;
            }
            for (int d = 0; d < n; d++)
                if (_machine[d] == _machine[s]) Send(ranks[s], ranks[d], _bytes[s * n + d]);
            for (int m = 0; m < _machines; m++)
            {
                if (m == _machine[s]) continue;
                long sum = 0;
                for (int d = 0; d < n; d++)
                    if (_machine[d] == m) sum += _bytes[s * n + d];
                if (sum == 0) continue;
                int peer = _railPeer[s * _machines + m];
                _inbound[peer]++;
                Send(ranks[s], ranks[peer], sum, peer);
            }
        }
    }

    /// <inheritdoc/>
    protected override void OnFlowArrived(long tag)
    {
        if (tag < 0 || --_inbound[tag] > 0) return;
        // Everything bound for this machine over this rail has reached the rail peer: forward
        // each local GPU's share, summed over the senders, in one NVLink flow per GPU.
        int peer = (int)tag;
        var ranks = Participants;
        int n = ranks.Length;
        int machine = _machine[peer];
        for (int d = 0; d < n; d++)
        {
            if (_machine[d] != machine || d == peer) continue;
            long sum = 0;
            for (int s = 0; s < n; s++)
                if (_machine[s] != machine && _railPeer[s * _machines + machine] == peer) sum += _bytes[s * n + d];
            Send(ranks[peer], ranks[d], sum);
        }
    }
}
