using MoESim.Engine;
using MoESim.Units;

namespace MoESim.Collectives;

/// <summary>
/// Base of a collective that runs as phases of transfers on a <see cref="TopologyNetwork"/>.
/// With <see cref="CollectiveModel.Flows"/> each phase starts its transfers as flows, and when
/// the last one completes the next phase starts; with <see cref="CollectiveModel.Aggregated"/>
/// the phases' transfers are summed onto their routes' links (<see cref="AggregatedLinkLoads"/>),
/// the phases' durations add up, and one event ends the run. Either way the caller's completion
/// target gets its event at the end. One instance runs one collective at a time and is reused
/// (no allocation per run).
/// </summary>
public abstract class Collective : IEventTarget
{
    /// <summary>
    /// Largest system (GPUs) on which collectives default to <see cref="CollectiveModel.Flows"/>;
    /// larger systems default to <see cref="CollectiveModel.Aggregated"/> (see <see cref="DefaultModelFor"/>).
    /// </summary>
    public const int FlowModelMaxDevices = 32;

    private const int FlowDoneKind = 0;
    private const int EmptyPhaseKind = 1;
    private const int AggregatedDoneKind = 2;
    private readonly int[] _participants;
    private AggregatedLinkLoads? _loads;
    private IEventTarget? _onDone;
    private int _doneKind;
    private long _doneArg;
    private int _outstanding;
    private int _phase;
    private long _startPicoseconds;
    private long _endPicoseconds;

    /// <summary>
    /// A collective over <paramref name="participants"/> (distinct GPU indices; all GPUs when
    /// null), timed by <paramref name="model"/> (by the system's size when null, see <see cref="DefaultModelFor"/>).
    /// </summary>
    protected Collective(TopologyNetwork network, IReadOnlyList<int>? participants, CollectiveModel? model = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        Network = network;
        Model = model ?? DefaultModelFor(network.DeviceCount);
        int n = network.DeviceCount;
        _participants = participants is null ? Enumerable.Range(0, n).ToArray() : participants.ToArray();
        if (_participants.Length == 0) throw new ArgumentException("a collective needs at least one participant", nameof(participants));
        var seen = new HashSet<int>();
        foreach (int p in _participants)
        {
            if ((uint)p >= (uint)n) throw new ArgumentOutOfRangeException(nameof(participants), p, $"no GPU {p} (system has {n})");
            if (!seen.Add(p)) throw new ArgumentException($"GPU {p} is listed twice", nameof(participants));
        }
    }

    /// <summary>The network the flows run on.</summary>
    protected TopologyNetwork Network { get; }

    /// <summary>How the transfers are timed.</summary>
    public CollectiveModel Model { get; }

    /// <summary>
    /// The model collectives use when none is given, on a system of <paramref name="devices"/>
    /// GPUs: flows up to <see cref="FlowModelMaxDevices"/> GPUs (every DGX H100 profile up to
    /// four nodes: results as before), aggregated above, where ranks² flows per all-to-all and a
    /// rate re-solve per flow end make a serving step cost seconds.
    /// </summary>
    public static CollectiveModel DefaultModelFor(int devices) =>
        devices <= FlowModelMaxDevices ? CollectiveModel.Flows : CollectiveModel.Aggregated;

    /// <summary>The aggregated model's link loads (created on first use, with <see cref="AggregatedStages"/> stages).</summary>
    protected AggregatedLinkLoads Loads => _loads ??=
        new AggregatedLinkLoads(Network.Topology, AggregatedStages, AggregatesPerDevice ? Network.Decomposition : null);

    /// <summary>Stages of <see cref="Loads"/> (1 unless a collective times dependent stages itself).</summary>
    protected virtual int AggregatedStages => 1;

    /// <summary>
    /// Whether <see cref="Loads"/> sums transfers per device (send and receive totals per apex
    /// switch, for collectives with many transfers) rather than route by route (a few transfers).
    /// </summary>
    protected virtual bool AggregatesPerDevice => false;

    /// <summary>Stage of <see cref="Loads"/> that <see cref="Send"/> adds to under the aggregated model.</summary>
    protected int AggregatedStage { get; set; }

    /// <summary>Participating GPU indices, in rank order.</summary>
    public ReadOnlySpan<int> Participants => _participants;

    /// <summary>Number of participants.</summary>
    public int Ranks => _participants.Length;

    /// <summary>True between <see cref="Begin"/> and completion.</summary>
    public bool IsRunning { get; private set; }

    /// <summary>When the last run started.</summary>
    public SimTime StartTime => new(_startPicoseconds);

    /// <summary>When the last run finished.</summary>
    public SimTime EndTime => new(_endPicoseconds);

    /// <summary>Duration of the last finished run, seconds.</summary>
    public double LastSeconds => (_endPicoseconds - _startPicoseconds) / (double)SimTime.PicosecondsPerSecond;

    /// <summary>Payload bytes of every flow (or aggregated transfer) of the last run (a forwarded byte counts once per flow it rides; local copies excluded).</summary>
    public long LastBytes { get; private set; }

    /// <summary>Flows started by the last run (with the aggregated model: transfers that would have been flows).</summary>
    public int LastFlows { get; private set; }

    /// <summary>Phases the collective runs (≥ 1).</summary>
    protected abstract int PhaseCount { get; }

    /// <summary>Starts phase <paramref name="phase"/>'s flows with <see cref="Send"/>.</summary>
    protected abstract void StartPhase(int phase);

    /// <summary>Begins a run; <paramref name="onDone"/> (if any) receives (<paramref name="kind"/>, <paramref name="arg"/>, 0) at the end.</summary>
    protected void Begin(IEventTarget? onDone, int kind, long arg)
    {
        ThrowIfRunning();
        IsRunning = true;
        _onDone = onDone;
        _doneKind = kind;
        _doneArg = arg;
        _startPicoseconds = Network.Simulator.Now.Picoseconds;
        LastBytes = 0;
        LastFlows = 0;
        _phase = 0;
        if (Model == CollectiveModel.Aggregated)
        {
            RunAggregated();
            return;
        }
        RunPhase();
    }

    /// <summary>Throws when a run is in progress (a collective runs one at a time).</summary>
    protected void ThrowIfRunning()
    {
        if (IsRunning) throw new InvalidOperationException($"{GetType().Name} is already running");
    }

    /// <summary>
    /// The run's duration under the aggregated model, seconds (≥ 0): by default each phase's
    /// <see cref="Send"/>s are summed onto <see cref="Loads"/> stage 0 and the phases' stage times
    /// add up. A collective whose transfers wait for each other in another way overrides this.
    /// </summary>
    protected virtual double AggregatedSeconds()
    {
        double seconds = 0;
        AggregatedStage = 0;
        for (int phase = 0; phase < PhaseCount; phase++)
        {
            StartPhase(phase);
            seconds += Loads.StageSeconds(0);
            RetireLoads();
        }
        return seconds;
    }

    private void RunAggregated()
    {
        // The loads are empty here, or hold what the subclass added for this run before Begin.
        double seconds = AggregatedSeconds();
        RetireLoads();
        // Rounded once, where the event is scheduled; an empty run ends now, through the queue.
        Network.Simulator.ScheduleAfter(SimTime.FromSeconds(seconds), this, AggregatedDoneKind);
    }

    // Counts the loads' transfers as the run's, credits their bytes to the links, and empties them.
    private void RetireLoads()
    {
        if (Loads.Transfers == 0) return;
        LastBytes += Loads.TransferredBytes;
        LastFlows += Loads.Transfers;
        Loads.CreditLinks(Network);
        Loads.Clear();
    }

    /// <summary>
    /// Sends <paramref name="bytes"/> from GPU <paramref name="source"/> to GPU
    /// <paramref name="destination"/> in the current phase; a local or empty send costs nothing.
    /// <paramref name="tag"/> comes back in <see cref="OnFlowArrived"/> (flows only; the
    /// aggregated model adds the bytes to <see cref="Loads"/> stage <see cref="AggregatedStage"/>).
    /// </summary>
    protected void Send(int source, int destination, long bytes, long tag = -1)
    {
        if (source == destination || bytes <= 0) return;
        if (Model == CollectiveModel.Aggregated)
        {
            Loads.Add(AggregatedStage, source, destination, bytes);
            return;
        }
        LastBytes += bytes;
        LastFlows++;
        _outstanding++;
        Network.StartFlow(source, destination, bytes, this, FlowDoneKind, tag);
    }

    /// <summary>
    /// Called when a flow sent with <paramref name="tag"/> arrives, before the phase checks
    /// whether it is over; may <see cref="Send"/> more flows in the same phase (forwarding).
    /// </summary>
    protected virtual void OnFlowArrived(long tag)
    {
    }

    private void RunPhase()
    {
        _outstanding = 0;
        StartPhase(_phase);
        // A phase with nothing to send ends now, through the queue to keep event order.
        if (_outstanding == 0)
            Network.Simulator.Schedule(Network.Simulator.Now, this, EmptyPhaseKind);
    }

    void IEventTarget.OnEvent(Simulator sim, int kind, long arg0, long arg1)
    {
        if (kind == FlowDoneKind)
        {
            OnFlowArrived(arg0);
            if (--_outstanding > 0) return;
        }
        if (kind != AggregatedDoneKind && ++_phase < PhaseCount)
        {
            RunPhase();
            return;
        }
        IsRunning = false;
        _endPicoseconds = sim.Now.Picoseconds;
        if (_onDone is not null) sim.Schedule(sim.Now, _onDone, _doneKind, _doneArg);
    }
}
