using MoESim.Hardware.Topology;

namespace MoESim.Collectives;

/// <summary>
/// All-to-all with an arbitrary per-pair byte matrix (MoE dispatch and combine): every rank
/// sends <c>bytes[src × ranks + dst]</c> to every other rank at once (see
/// <see cref="AllToAllAlgorithm"/> for how cross-machine data travels), as flows over the
/// topology that share links max-min fair, or timed in one step by per-link aggregation
/// (<see cref="CollectiveModel"/>). Done when the last byte has arrived.
/// </summary>
/// <remarks>
/// Aggregated, a direct exchange is one stage of <see cref="AggregatedLinkLoads"/> (its ranks²
/// matrix entries are read once); rail forwarding is timed by <see cref="AggregatedRailLegs"/> from
/// ranks × (GPUs per machine + machines) leg entries. Entries of leg-by-leg traffic between GPUs
/// of different machines are not read then (the flow model checks that they are zero).
/// </remarks>
public sealed class AllToAll : Collective
{
    private const int DirectStage = 0;  // aggregated direct exchange: every transfer from the start

    private readonly AllToAllAlgorithm _algorithm;
    private readonly int[] _machine;     // per rank
    private readonly int[] _railPeer;    // [rank * machines + machine] -> rank of the same local index there, or -1
    private readonly int _machines;
    private readonly int _perMachine;    // ranks per machine when rail-forwarded (uniform), else 0
    private readonly int[] _localIndex;  // per rank: index among its machine's GPUs
    private readonly int[] _members;     // rail-forwarded: [machine * perMachine + local index] -> rank
    private readonly int[] _inbound;    // per rank: fabric flows still to arrive before it forwards
    private long[] _bytes = [];          // direct: the GPU-to-GPU matrix of the run
    private AllToAllTraffic? _rail;      // rail-forwarded: the legs of the run
    private AllToAllTraffic? _fromMatrix; // rail legs derived from a matrix (reused)
    private readonly AggregatedRailLegs? _aggregatedRail; // aggregated rail forwarding's bookkeeping

    /// <summary>
    /// An all-to-all over <paramref name="participants"/> (all GPUs when null) using
    /// <paramref name="algorithm"/>; rail forwarding needs every GPU of the system to take part and
    /// every machine to have the same GPU count, and falls back to direct flows otherwise.
    /// <paramref name="model"/> times it (by the system's size when null, see <see cref="Collective.DefaultModelFor"/>).
    /// </summary>
    public AllToAll(TopologyNetwork network, IReadOnlyList<int>? participants = null, AllToAllAlgorithm algorithm = AllToAllAlgorithm.Direct,
        CollectiveModel? model = null)
        : base(network, participants, model)
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
        _localIndex = new int[Ranks];
        _railPeer = new int[Ranks * _machines];
        Array.Fill(_railPeer, -1);
        _inbound = new int[Ranks];
        for (int r = 0; r < Ranks; r++)
        {
            _machine[r] = topology.Devices[ranks[r]].Machine;
            _localIndex[r] = local[ranks[r]];
        }
        for (int r = 0; r < Ranks; r++)
            for (int q = 0; q < Ranks; q++)
                if (local[ranks[q]] == local[ranks[r]]) _railPeer[r * _machines + _machine[q]] = q;
        if (_algorithm == AllToAllAlgorithm.RailForwarded)
        {
            _perMachine = perMachine[0];
            _members = new int[Ranks];
            for (int r = 0; r < Ranks; r++) _members[_machine[r] * _perMachine + _localIndex[r]] = r;
            if (Model == CollectiveModel.Aggregated) _aggregatedRail = new AggregatedRailLegs(_machine, _members, _railPeer, _machines, _perMachine);
        }
        else
        {
            _members = [];
        }
    }

    /// <summary>The algorithm in use (after any fallback to direct).</summary>
    public AllToAllAlgorithm Algorithm => _algorithm;

    /// <summary>Machines of the system.</summary>
    public int Machines => _machines;

    /// <summary>GPUs (ranks) per machine with rail forwarding (every machine has as many); 0 for direct.</summary>
    public int RanksPerMachine => _perMachine;

    /// <summary>Machine of participant <paramref name="rank"/>.</summary>
    public int MachineOf(int rank) => _machine[rank];

    /// <summary>Index of participant <paramref name="rank"/>'s GPU among its machine's GPUs (its rail).</summary>
    public int LocalIndexOf(int rank) => _localIndex[rank];

    /// <summary>
    /// With rail forwarding, the rank of the GPU with <paramref name="localIndex"/> on
    /// <paramref name="machine"/> (0 ≤ localIndex &lt; <see cref="RanksPerMachine"/>).
    /// </summary>
    public int RankOn(int machine, int localIndex) =>
        _algorithm == AllToAllAlgorithm.RailForwarded
            ? _members[machine * _perMachine + localIndex]
            : throw new InvalidOperationException("ranks by machine and local index exist with rail forwarding only");

    /// <summary>
    /// The participant on <paramref name="machine"/> with the same local GPU index as
    /// <paramref name="rank"/> (its rail peer there), or -1 if that machine has no such participant.
    /// </summary>
    public int RailPeer(int rank, int machine) => _railPeer[rank * _machines + machine];

    /// <summary>
    /// Bytes exchanged in the last run, each copy counted once: the off-diagonal matrix, or a
    /// traffic's local and fabric legs (the NVLink legs that carry fabric data on, forward after
    /// it and gather before it, are not counted again).
    /// </summary>
    public long LastMatrixBytes { get; private set; }

    /// <inheritdoc/>
    protected override int PhaseCount => 1;

    /// <inheritdoc/>
    protected override int AggregatedStages => 2;

    /// <inheritdoc/>
    protected override bool AggregatesPerDevice => true;

    /// <summary>
    /// Starts the exchange: <paramref name="bytes"/> has ranks × ranks entries (≥ 0), row = sender
    /// rank, column = receiver rank; the diagonal (local data) is not sent. Rail forwarding sends
    /// each sender's bytes for a machine as one fabric flow and forwards each GPU's share, so a
    /// byte bound for two GPUs of one machine crosses the fabric twice. It is copied, so the
    /// caller may reuse its buffer. <paramref name="onDone"/> gets (<paramref name="kind"/>, <paramref name="arg"/>) when all data has arrived.
    /// </summary>
    public void Start(ReadOnlySpan<long> bytes, Engine.IEventTarget? onDone, int kind = 0, long arg = 0)
    {
        ThrowIfRunning();
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
        _rail = _algorithm == AllToAllAlgorithm.RailForwarded ? RailLegsOf(_bytes) : null;
        if (_rail is not null) _aggregatedRail?.Add(_rail, Loads, Participants);
        LastMatrixBytes = total;
        Begin(onDone, kind, arg);
    }

    /// <summary>
    /// Starts a rail-forwarded exchange given leg by leg (<see cref="AllToAllTraffic"/>), e.g. with
    /// tokens sent once per receiving machine. Only for <see cref="AllToAllAlgorithm.RailForwarded"/>
    /// (check <see cref="Algorithm"/>: it falls back to direct on some systems). The traffic is
    /// read while the exchange runs: do not change it before <paramref name="onDone"/> fires.
    /// Local, forward and gather entries between GPUs of different machines must be zero: the flow
    /// model checks them, the aggregated model does not read them (that would cost ranks² per run).
    /// </summary>
    public void Start(AllToAllTraffic traffic, Engine.IEventTarget? onDone, int kind = 0, long arg = 0)
    {
        ArgumentNullException.ThrowIfNull(traffic);
        ThrowIfRunning();
        if (_algorithm != AllToAllAlgorithm.RailForwarded)
            throw new InvalidOperationException("leg-by-leg traffic needs the rail-forwarded algorithm; this all-to-all runs direct flows");
        if (traffic.Ranks != Ranks || traffic.Machines != _machines)
            throw new ArgumentException($"traffic is for {traffic.Ranks} ranks on {traffic.Machines} machines; the all-to-all has {Ranks} on {_machines}", nameof(traffic));
        if (Model == CollectiveModel.Flows)
        {
            CheckAcrossMachines(traffic);
            LastMatrixBytes = CheckOnRails(traffic);
        }
        else
        {
            LastMatrixBytes = _aggregatedRail!.Add(traffic, Loads, Participants);
        }
        _rail = traffic;
        Begin(onDone, kind, arg);
    }

    // Local, forward and gather legs join GPUs of one machine: every other entry must be zero.
    private void CheckAcrossMachines(AllToAllTraffic traffic)
    {
        int n = Ranks;
        for (int s = 0; s < n; s++)
            for (int d = 0; d < n; d++)
            {
                if (_machine[s] == _machine[d]) continue;
                long local = traffic.Local[s * n + d], forward = traffic.Forward[s * n + d], gather = traffic.Gather[s * n + d];
                if (local < 0 || forward < 0 || gather < 0) throw new ArgumentOutOfRangeException(nameof(traffic), $"negative bytes from rank {s} to rank {d}");
                if ((local | forward | gather) != 0)
                    throw new ArgumentException($"ranks {s} and {d} are on different machines: their bytes go by the fabric legs", nameof(traffic));
            }
    }

    // Checks the entries the legs may use (same-machine pairs, fabric) and returns the bytes
    // exchanged, each copy once: ranks × (GPUs per machine + machines) entries.
    private long CheckOnRails(AllToAllTraffic traffic)
    {
        int n = Ranks, g = _perMachine;
        long total = 0;
        for (int s = 0; s < n; s++)
        {
            int home = _machine[s] * g;
            for (int i = 0; i < g; i++)
            {
                int d = _members[home + i];
                long local = traffic.Local[s * n + d], forward = traffic.Forward[s * n + d], gather = traffic.Gather[s * n + d];
                if (local < 0 || forward < 0 || gather < 0) throw new ArgumentOutOfRangeException(nameof(traffic), $"negative bytes from rank {s} to rank {d}");
                if (s != d) total += local;
            }
            for (int m = 0; m < _machines; m++)
            {
                long fabric = traffic.Fabric[s * _machines + m];
                if (fabric < 0) throw new ArgumentOutOfRangeException(nameof(traffic), $"negative fabric bytes from rank {s} to machine {m}");
                if (fabric != 0 && m == _machine[s]) throw new ArgumentException($"rank {s} is on machine {m}: no fabric leg to its own machine", nameof(traffic));
                total += fabric;
            }
        }
        for (int p = 0; p < n; p++)
        {
            bool forwards = false, receives = false;
            int home = _machine[p] * g;
            for (int i = 0; i < g && !forwards; i++) forwards = traffic.Forward[p * n + _members[home + i]] != 0;
            // The senders that reach p over its rail: the GPUs of its local index on other machines.
            for (int m = 0; m < _machines && forwards && !receives; m++)
            {
                if (m == _machine[p]) continue;
                int s = _members[m * g + _localIndex[p]];
                receives = traffic.Fabric[s * _machines + _machine[p]] != 0;
            }
            if (forwards && !receives)
                throw new ArgumentException($"rank {p} forwards bytes but no fabric flow reaches it over its rail", nameof(traffic));
        }
        return total;
    }

    // The legs rail forwarding gives a plain matrix: same-machine pairs direct, each sender's
    // bytes for a machine summed into one fabric flow, each GPU's share forwarded by the peer.
    private AllToAllTraffic RailLegsOf(long[] bytes)
    {
        int n = Ranks;
        var legs = _fromMatrix ??= new AllToAllTraffic(n, _machines);
        legs.Clear();
        for (int s = 0; s < n; s++)
            for (int d = 0; d < n; d++)
            {
                long b = bytes[s * n + d];
                if (b == 0 || s == d) continue;
                if (_machine[s] == _machine[d])
                {
                    legs.Local[s * n + d] = b;
                    continue;
                }
                int peer = _railPeer[s * _machines + _machine[d]];
                legs.Fabric[s * _machines + _machine[d]] += b;
                if (peer != d) legs.Forward[peer * n + d] += b;
            }
        return legs;
    }

    /// <inheritdoc/>
    protected override void StartPhase(int phase)
    {
        var ranks = Participants;
        int n = ranks.Length;
        if (_rail is null)
        {
            for (int s = 0; s < n; s++)
                for (int d = 0; d < n; d++) Send(ranks[s], ranks[d], _bytes[s * n + d]);
            return;
        }
        for (int s = 0; s < n; s++)
        {
            for (int d = 0; d < n; d++)
                if (_machine[d] == _machine[s])
                {
                    Send(ranks[s], ranks[d], _rail.Local[s * n + d]);
                    Send(ranks[s], ranks[d], _rail.Gather[s * n + d]);
                }
            for (int m = 0; m < _machines; m++)
            {
                if (m == _machine[s]) continue;
                long bytes = _rail.Fabric[s * _machines + m];
                if (bytes == 0) continue;
                int peer = _railPeer[s * _machines + m];
                _inbound[peer]++;
                Send(ranks[s], ranks[peer], bytes, peer);
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
        for (int d = 0; d < n; d++)
            if (d != peer && _machine[d] == _machine[peer]) Send(ranks[peer], ranks[d], _rail!.Forward[peer * n + d]);
    }

    /// <inheritdoc/>
    protected override double AggregatedSeconds()
    {
        var ranks = Participants;
        int n = ranks.Length;
        var loads = Loads;
        if (_rail is null)
        {
            // A plain matrix is ranks² entries: each nonzero one is a transfer on its route.
            AggregatedStage = DirectStage;
            for (int s = 0; s < n; s++)
                for (int d = 0; d < n; d++) Send(ranks[s], ranks[d], _bytes[s * n + d]);
            return loads.StageSeconds(DirectStage);
        }
        // Rail legs were checked and added by Start: time the forwarding that waits for them.
        return _aggregatedRail!.Seconds(_rail, loads, ranks);
    }
}
