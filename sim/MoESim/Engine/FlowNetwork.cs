using MoESim.Units;

namespace MoESim.Engine;

/// <summary>
/// Flow-level network model. A flow moves a number of bytes along a route (an ordered list of
/// link indices): it first waits the route's summed latency, then transfers at the max-min fair
/// rate it gets among all transferring flows. Rates are recomputed whenever a flow starts or
/// ends; only the earliest completion is kept scheduled, and a generation counter makes
/// superseded completion events no-ops. Flow records and solver buffers are pooled.
/// </summary>
public sealed class FlowNetwork : IEventTarget
{
    private const int KindActivate = 0;
    private const int KindUpdate = 1;

    // A flow within half a picosecond of transfer of its end is done: the completion event was
    // rounded to the nearest picosecond, so this is exactly the rounding slack.
    private const double CompletionSlackSeconds = 0.5e-12;

    private readonly Simulator _sim;
    private readonly TimelineRecorder? _timeline;
    private readonly List<Link> _links = new();
    private readonly List<FlowRecord> _slots = new();
    private readonly Stack<int> _freeSlots = new();
    private readonly List<FlowRecord> _active = new();
    private readonly List<FlowRecord> _finished = new();
    private readonly MaxMinFairShare _solver = new();
    private double[] _capacity = [];
    private long _generation;
    private bool _updatePending;
    private long _lastAdvance;
    private long _nextSerial;

    /// <summary>Creates an empty network on <paramref name="sim"/>; flows are recorded on <paramref name="timeline"/> when given.</summary>
    public FlowNetwork(Simulator sim, TimelineRecorder? timeline = null)
    {
        ArgumentNullException.ThrowIfNull(sim);
        _sim = sim;
        _timeline = timeline;
    }

    /// <summary>All links, indexed by <see cref="Link.Index"/>.</summary>
    public IReadOnlyList<Link> Links => _links;

    /// <summary>Flows transferring now (latency paid, not finished).</summary>
    public int ActiveFlowCount => _active.Count;

    /// <summary>Flows started and not yet finished, including those still paying latency.</summary>
    public int InFlightFlowCount => _slots.Count - _freeSlots.Count;

    /// <summary>Flows that have completed.</summary>
    public long FlowsCompleted { get; private set; }

    /// <summary>How many times rates were re-solved (a cost indicator for large collectives).</summary>
    public long RateSolves { get; private set; }

    /// <summary>
    /// Adds one direction of a link with <paramref name="bandwidthBytesPerSecond"/> (&gt; 0, finite)
    /// and <paramref name="latencySeconds"/> (≥ 0); returns its index for use in routes.
    /// </summary>
    public int AddLink(string name, double bandwidthBytesPerSecond, double latencySeconds)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!(bandwidthBytesPerSecond > 0) || double.IsInfinity(bandwidthBytesPerSecond))
            throw new ArgumentOutOfRangeException(nameof(bandwidthBytesPerSecond), bandwidthBytesPerSecond, "bandwidth must be positive and finite");
        if (!(latencySeconds >= 0) || double.IsInfinity(latencySeconds))
            throw new ArgumentOutOfRangeException(nameof(latencySeconds), latencySeconds, "latency must be non-negative and finite");
        if (_slots.Count != _freeSlots.Count)
            throw new InvalidOperationException("add links before starting flows");
        int index = _links.Count;
        _links.Add(new Link(_sim, index, name, bandwidthBytesPerSecond, latencySeconds));
        Array.Resize(ref _capacity, _links.Count);
        _capacity[index] = bandwidthBytesPerSecond;
        return index;
    }

    /// <summary>
    /// Adds a full-duplex link as two links named <c>name&gt;</c> and <c>name&lt;</c>, each with
    /// <paramref name="bandwidthBytesPerSecond"/> per direction; returns both indices.
    /// </summary>
    public (int Forward, int Reverse) AddDuplexLink(string name, double bandwidthBytesPerSecond, double latencySeconds) =>
        (AddLink(name + ">", bandwidthBytesPerSecond, latencySeconds), AddLink(name + "<", bandwidthBytesPerSecond, latencySeconds));

    /// <summary>
    /// Starts a flow of <paramref name="bytes"/> (≥ 0) over <paramref name="route"/> (link
    /// indices; each link at most once). When it ends, <paramref name="onDone"/> (if not null)
    /// receives (<paramref name="kind"/>, <paramref name="a0"/>, <paramref name="a1"/>).
    /// A zero-byte flow or one with an empty route (a local copy) completes after the route
    /// latency alone and returns -1; otherwise the return value is a flow id, valid for
    /// <see cref="RateBytesPerSecond"/> until the flow completes (ids are then reused).
    /// On the timeline the flow appears, latency included, on the track of its first link.
    /// </summary>
    public int StartFlow(long bytes, ReadOnlySpan<int> route, IEventTarget? onDone,
        int kind = 0, long a0 = 0, long a1 = 0, string? label = null)
    {
        if (bytes < 0)
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "flow size must be non-negative");
        double latencySeconds = 0;
        foreach (int l in route)
        {
            if ((uint)l >= (uint)_links.Count)
                throw new ArgumentOutOfRangeException(nameof(route), l, $"no link with index {l}");
            latencySeconds += _links[l].LatencySeconds;
        }
        // Summed in seconds and rounded once, where the event is scheduled.
        var latency = SimTime.FromSeconds(latencySeconds);
        var now = _sim.Now;

        if (bytes == 0 || route.IsEmpty)
        {
            if (_timeline is not null && !route.IsEmpty)
                _timeline.Record(_links[route[0]].TrackName, label ?? "flow", now, now + latency, "bytes", bytes);
            if (onDone is not null)
                _sim.Schedule(now + latency, onDone, kind, a0, a1);
            return -1;
        }

        var flow = RentRecord();
        flow.Serial = _nextSerial++;
        flow.Bytes = bytes;
        flow.RemainingBytes = bytes;
        flow.SetRoute(route);
        flow.OnDone = onDone;
        flow.Kind = kind;
        flow.Arg0 = a0;
        flow.Arg1 = a1;
        flow.Label = label;
        flow.StartedAt = now;
        if (latency.Picoseconds == 0)
            Activate(flow);
        else
            _sim.Schedule(now + latency, this, KindActivate, flow.Slot);
        return flow.Slot;
    }

    /// <summary>
    /// Current rate of flow <paramref name="flowId"/> in bytes/s; 0 while it pays latency or
    /// before rates are next solved (at the same simulated instant it became active).
    /// </summary>
    public double RateBytesPerSecond(int flowId)
    {
        if ((uint)flowId >= (uint)_slots.Count || !_slots[flowId].InUse)
            throw new ArgumentOutOfRangeException(nameof(flowId), flowId, "no such flow in flight");
        return _slots[flowId].RateBytesPerSecond;
    }

    void IEventTarget.OnEvent(Simulator sim, int kind, long arg0, long arg1)
    {
        switch (kind)
        {
            case KindActivate:
                Activate(_slots[(int)arg0]);
                break;
            case KindUpdate:
                // A newer generation exists when the flow set changed after this was scheduled.
                if (arg0 == _generation)
                    Update();
                break;
            default:
                throw new InvalidOperationException($"flow network: unknown event kind {kind}");
        }
    }

    private FlowRecord RentRecord()
    {
        FlowRecord flow;
        if (_freeSlots.Count > 0)
        {
            flow = _slots[_freeSlots.Pop()];
        }
        else
        {
            flow = new FlowRecord(_slots.Count);
            _slots.Add(flow);
        }
        flow.InUse = true;
        return flow;
    }

    private void Activate(FlowRecord flow)
    {
        long now = _sim.Now.Picoseconds;
        flow.ActiveIndex = _active.Count;
        _active.Add(flow);
        foreach (int l in flow.RouteSpan)
            _links[l].FlowStarted(now);
        RequestUpdate();
    }

    // Coalesces every change at one instant into a single re-solve at that instant.
    private void RequestUpdate()
    {
        if (_updatePending)
            return;
        _updatePending = true;
        _sim.Schedule(_sim.Now, this, KindUpdate, ++_generation);
    }

    private void Update()
    {
        _updatePending = false;
        long now = _sim.Now.Picoseconds;

        // Progress every transferring flow at the rates that held since the last update.
        double dt = (now - _lastAdvance) / (double)SimTime.PicosecondsPerSecond;
        _lastAdvance = now;
        _finished.Clear();
        for (int i = _active.Count - 1; i >= 0; i--)
        {
            var f = _active[i];
            f.RemainingBytes -= f.RateBytesPerSecond * dt;
            if (f.RateBytesPerSecond > 0 && f.RemainingBytes <= f.RateBytesPerSecond * CompletionSlackSeconds)
            {
                RemoveActiveAt(i);
                _finished.Add(f);
            }
        }

        SolveRates();
        ScheduleNextCompletion();
        if (_finished.Count > 0)
            Complete(now);
    }

    private void RemoveActiveAt(int i)
    {
        int last = _active.Count - 1;
        var moved = _active[last];
        _active[i] = moved;
        moved.ActiveIndex = i;
        _active.RemoveAt(last);
    }

    private void SolveRates()
    {
        if (_active.Count == 0)
            return;
        RateSolves++;
        _solver.Solve(_active, _capacity);
    }

    private void ScheduleNextCompletion()
    {
        double soonest = double.PositiveInfinity;
        foreach (var f in _active)
        {
            // Every active flow crosses at least one link of positive capacity, so its share is positive.
            if (!(f.RateBytesPerSecond > 0))
                throw new InvalidOperationException($"flow network: flow {f.Slot} got rate {f.RateBytesPerSecond}");
            soonest = Math.Min(soonest, f.RemainingBytes / f.RateBytesPerSecond);
        }
        if (double.IsPositiveInfinity(soonest))
            return;
        // At least one picosecond ahead so the clock always advances between completions. A flow
        // so slow that it would end past the clock's range stops the run with a clear error
        // (the sum used to wrap to a negative time, "cannot schedule in the past").
        long delay = Math.Max(1, SimTime.FromSeconds(Math.Max(0, soonest)).Picoseconds);
        _sim.Schedule(new SimTime(SimTime.AddPicoseconds(_sim.Now.Picoseconds, delay)), this, KindUpdate, ++_generation);
    }

    private void Complete(long now)
    {
        // Notify in start order, not in the active list's swap-scrambled order.
        var done = _finished;
        for (int i = 1; i < done.Count; i++)
        {
            var x = done[i];
            int j = i - 1;
            while (j >= 0 && done[j].Serial > x.Serial)
            {
                done[j + 1] = done[j];
                j--;
            }
            done[j + 1] = x;
        }

        var nowTime = new SimTime(now);
        foreach (var f in done)
        {
            foreach (int l in f.RouteSpan)
                _links[l].FlowFinished(now, f.Bytes);
            FlowsCompleted++;
            _timeline?.Record(_links[f.Route[0]].TrackName, f.Label ?? "flow", f.StartedAt, nowTime, "bytes", f.Bytes);
            // Through the queue, not a direct call: the network's state is settled before any
            // handler can start new flows, and notifications keep the global event order.
            if (f.OnDone is not null)
                _sim.Schedule(nowTime, f.OnDone, f.Kind, f.Arg0, f.Arg1);
            f.Reset();
            _freeSlots.Push(f.Slot);
        }
        done.Clear();
    }
}
