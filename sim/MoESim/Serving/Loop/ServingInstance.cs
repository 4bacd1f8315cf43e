using MoESim.Cost;
using MoESim.Engine;
using MoESim.Results;
using MoESim.Serving.Scheduling;
using MoESim.Traces;
using MoESim.Units;

namespace MoESim.Serving.Loop;

/// <summary>
/// The one serving loop of every system: requests arrive, the batch scheduler forms the next
/// step, the step planner runs it on the platform, and the instance records what the step did.
/// A single device, an expert-parallel system and (later) an offloading or PIM system differ only
/// in their <see cref="IStepPlanner"/> (and scheduler); several instances can share one
/// <see cref="Simulator"/> (see <see cref="Cluster"/>).
/// </summary>
public sealed class ServingInstance : IEventTarget
{
    private const int ArrivalEvent = 1;
    private const int StepDoneEvent = 2;

    private readonly Simulator _sim;
    private readonly IReadOnlyList<Request> _requests;
    private readonly IBatchScheduler _scheduler;
    private readonly MemoryPool _kv;
    private readonly IStepPlanner _planner;
    private readonly MemoryPlan _memory;
    private readonly IProgress<double>? _progress;
    private readonly int _progressEverySteps;
    private readonly RoutingBatch _routingBatch = new();
    private readonly List<IterationRecord> _steps = new();
    private bool _busy;
    private BatchShape _current;
    private long _currentStart;
    private long _currentKv;
    private long _peakKv;

    /// <summary>
    /// An instance serving <paramref name="requests"/> (in arrival order, non-empty) on
    /// <paramref name="simulator"/>'s clock: <paramref name="scheduler"/> forms steps over the KV
    /// cache <paramref name="kvCache"/>, <paramref name="planner"/> runs them; progress (fraction
    /// of requests finished) is reported every <paramref name="progressEverySteps"/> steps.
    /// </summary>
    public ServingInstance(Simulator simulator, IReadOnlyList<Request> requests, IBatchScheduler scheduler, MemoryPool kvCache,
        IStepPlanner planner, MemoryPlan memory, IProgress<double>? progress = null, int progressEverySteps = 2048)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0)
            throw new Config.InputException("request trace", "", "empty request trace: nothing to simulate");
        _sim = simulator;
        _requests = requests;
        _scheduler = scheduler;
        _kv = kvCache;
        _planner = planner;
        _memory = memory;
        _progress = progress;
        _progressEverySteps = Math.Max(1, progressEverySteps);
    }

    /// <summary>The timeline the instance's resources record on, or null; echoed into its result.</summary>
    public TimelineRecorder? Timeline { get; init; }

    /// <summary>The instance's clock.</summary>
    public Simulator Simulator => _sim;

    /// <summary>The step planner (for policy-specific figures after the run).</summary>
    public IStepPlanner Planner => _planner;

    /// <summary>How the instance's memory is split between weights and KV cache.</summary>
    public MemoryPlan Memory => _memory;

    /// <summary>Requests finished so far.</summary>
    public int FinishedCount => _scheduler.FinishedCount;

    /// <summary>
    /// When true, requests do not arrive by their arrival times: another instance hands them over
    /// (<see cref="Admit"/>, e.g. after a KV-cache transfer). Default false.
    /// </summary>
    public bool ExternalArrivals { get; init; }

    /// <summary>Schedules the first arrival (unless arrivals are external); call once, then run the simulator (or a <see cref="Cluster"/>).</summary>
    public void Start()
    {
        if (!ExternalArrivals) _sim.Schedule(SimTime.FromSeconds(_requests[0].ArrivalSeconds), this, ArrivalEvent, 0);
    }

    /// <summary>
    /// Request <paramref name="requestId"/> (an index into this instance's request list) arrives
    /// now from outside the instance, e.g. handed over by another instance; it waits for
    /// admission like any arrival and starts a step if the instance is idle.
    /// </summary>
    public void Admit(int requestId)
    {
        if ((uint)requestId >= (uint)_requests.Count)
            throw new ArgumentOutOfRangeException(nameof(requestId), requestId, $"the instance serves {_requests.Count} requests");
        _scheduler.Enqueue(requestId);
        if (!_busy) StartStep();
    }

    /// <summary>Serves the whole request stream to completion on this instance's own clock.</summary>
    public SimulationResult Run()
    {
        Start();
        _sim.Run();
        return Result();
    }

    /// <summary>What the instance did, once its simulator has run out of events.</summary>
    public SimulationResult Result()
    {
        var outcomes = _scheduler.Outcomes(out var last);
        _progress?.Report(1.0);
        return new SimulationResult
        {
            Requests = outcomes,
            Iterations = _steps,
            Memory = _memory,
            MakespanSeconds = (last - SimTime.FromSeconds(_requests[0].ArrivalSeconds).Picoseconds) / 1e12,
            BusySeconds = _planner.BusySeconds,
            EventsProcessed = _sim.EventsProcessed,
            PeakKvReservedBytes = _peakKv,
            Timeline = Timeline,
        };
    }

    void IEventTarget.OnEvent(Simulator sim, int kind, long arg0, long arg1)
    {
        switch (kind)
        {
            case ArrivalEvent:
                // Requests arriving at the same instant join the same step: enqueue them all before
                // forming a batch (otherwise the first would start a step alone).
                int next = _scheduler.EnqueueArrivals((int)arg0, sim.Now);
                // Only the next arrival is ever queued, which keeps the event heap small.
                if (next < _requests.Count)
                    sim.Schedule(SimTime.FromSeconds(_requests[next].ArrivalSeconds), this, ArrivalEvent, next);
                if (!_busy) StartStep();
                break;
            case StepDoneEvent:
                FinishStep();
                break;
            default:
                throw new InvalidOperationException($"serving instance: unknown event kind {kind}");
        }
    }

    private void StartStep()
    {
        var shape = _scheduler.FormBatch(_routingBatch);
        if (shape.Tokens == 0) return; // idle until the next arrival
        _busy = true;
        _current = shape;
        _currentStart = _sim.Now.Picoseconds;
        _currentKv = _kv.UsedBytes;
        _peakKv = Math.Max(_peakKv, _currentKv);
        _planner.StartStep(shape, _routingBatch, this, StepDoneEvent);
    }

    private void FinishStep()
    {
        long now = _sim.Now.Picoseconds;
        int emitted = _scheduler.CompleteBatch(now);
        _steps.Add(new IterationRecord
        {
            StartPicoseconds = _currentStart,
            EndPicoseconds = now,
            PrefillTokens = (int)_current.PrefillTokens,
            DecodeSequences = _current.DecodeSequences,
            OutputTokens = emitted,
            Flops = _planner.LastStepFlops,
            Bytes = _planner.LastStepBytes,
            KvReservedDuringPassBytes = _currentKv,
            KvReservedBytes = _kv.UsedBytes,
            RunningSequences = _scheduler.RunningCount,
        });
        _busy = false;
        if (_progress is not null && _steps.Count % _progressEverySteps == 0)
            _progress.Report((double)_scheduler.FinishedCount / _requests.Count);
        StartStep();
    }
}
