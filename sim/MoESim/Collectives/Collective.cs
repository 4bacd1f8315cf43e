using MoESim.Engine;
using MoESim.Units;

namespace MoESim.Collectives;

/// <summary>
/// Base of a collective that runs as phases of flows on a <see cref="TopologyNetwork"/>: each
/// phase starts its flows, and when the last one completes the next phase starts; after the
/// last phase the caller's completion target gets its event. One instance runs one collective
/// at a time and is reused (no allocation per run).
/// </summary>
public abstract class Collective : IEventTarget
{
    private const int FlowDoneKind = 0;
    private const int EmptyPhaseKind = 1;
    private readonly int[] _participants;
    private IEventTarget? _onDone;
    private int _doneKind;
    private long _doneArg;
    private int _outstanding;
    private int _phase;
    private long _startPicoseconds;
    private long _endPicoseconds;

    /// <summary>A collective over <paramref name="participants"/> (distinct GPU indices; all GPUs when null).</summary>
    protected Collective(TopologyNetwork network, IReadOnlyList<int>? participants)
    {
        ArgumentNullException.ThrowIfNull(network);
        Network = network;
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

    /// <summary>Payload bytes sent between distinct GPUs by the last run (local copies excluded).</summary>
    public long LastBytes { get; private set; }

    /// <summary>Flows started by the last run.</summary>
    public int LastFlows { get; private set; }

    /// <summary>Phases the collective runs (≥ 1).</summary>
    protected abstract int PhaseCount { get; }

    /// <summary>Starts phase <paramref name="phase"/>'s flows with <see cref="Send"/>.</summary>
    protected abstract void StartPhase(int phase);

    /// <summary>Begins a run; <paramref name="onDone"/> (if any) receives (<paramref name="kind"/>, <paramref name="arg"/>, 0) at the end.</summary>
    protected void Begin(IEventTarget? onDone, int kind, long arg)
    {
        if (IsRunning) throw new InvalidOperationException($"{GetType().Name} is already running");
        IsRunning = true;
        _onDone = onDone;
        _doneKind = kind;
        _doneArg = arg;
        _startPicoseconds = Network.Simulator.Now.Picoseconds;
        LastBytes = 0;
        LastFlows = 0;
        _phase = 0;
        RunPhase();
    }

    /// <summary>Sends <paramref name="bytes"/> from GPU <paramref name="source"/> to GPU <paramref name="destination"/> in the current phase; a local or empty send costs nothing.</summary>
    protected void Send(int source, int destination, long bytes)
    {
        if (source == destination || bytes <= 0) return;
        _outstanding++;
        LastBytes += bytes;
        LastFlows++;
        Network.Network.StartFlow(bytes, Network.Route(source, destination), this, FlowDoneKind);
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
        if (kind == FlowDoneKind && --_outstanding > 0) return;
        if (++_phase < PhaseCount)
        {
            RunPhase();
            return;
        }
        IsRunning = false;
        _endPicoseconds = sim.Now.Picoseconds;
        if (_onDone is not null) sim.Schedule(sim.Now, _onDone, _doneKind, _doneArg);
    }
}
