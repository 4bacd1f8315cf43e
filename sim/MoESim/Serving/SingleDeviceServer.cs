using MoESim.Cost;
using MoESim.Engine;
using MoESim.Hardware;
using MoESim.Traces;
using MoESim.Units;

namespace MoESim.Serving;

/// <summary>
/// Serves a request stream on one device: arrivals and forward passes are events; each pass is
/// one job on the device's compute unit whose duration comes from the cost model, with the
/// routing source deciding how many distinct experts each MoE layer touches.
/// </summary>
public sealed class SingleDeviceServer : IEventTarget
{
    private const int ArrivalEvent = 1;
    private const int PassDoneEvent = 2;
    private const int ProgressEveryPasses = 2048;

    private readonly IReadOnlyList<Request> _requests;
    private readonly IterationCostModel _cost;
    private readonly IRoutingSource? _router;
    private readonly ServingConfig _config;
    private readonly MemoryPlan _memory;
    private readonly IProgress<double>? _progress;
    private readonly Simulator _sim = new();
    private readonly ComputeUnit _device;
    private readonly MemoryPool _kv;
    private readonly ContinuousBatchScheduler _scheduler;
    private readonly TimelineRecorder? _timeline;
    private readonly RoutingBatch _routingBatch = new();
    private readonly int[] _distinct;
    private readonly List<IterationRecord> _iterations = new();
    private bool _busy;
    private BatchShape _current;
    private IterationCost _currentCost;
    private long _currentStart;
    private long _currentKv;
    private long _peakKv;

    public SingleDeviceServer(ModelWork work, DeviceProfile device, IOperatorTimeModel timeModel, IReadOnlyList<Request> requests,
        IRoutingSource? router, ServingConfig config, IProgress<double>? progress = null)
    {
        var problems = config.Validate().ToList();
        if (problems.Count > 0)
            throw new Config.InputException(problems.Select(p => new Config.InputError("serving options", 0, 0, p.Field, p.Problem)).ToList());
        if (requests.Count == 0)
            throw new Config.InputException("request trace", "", "empty request trace: nothing to simulate");
        var moe = work.Model.Moe;
        if (moe is not null && router is null)
            throw new ArgumentException("an MoE model needs a routing source", nameof(router));
        if (moe is not null && router is not null && (router.NumExperts != moe.NumExperts || router.NumMoeLayers != work.Model.NumMoeLayers || router.TopK != moe.TopK))
            throw new Config.InputException("routing", "shape",
                $"the routing source has {router.NumMoeLayers} MoE layers x {router.NumExperts} experts, top-{router.TopK}; model {work.Model.Name} has {work.Model.NumMoeLayers} x {moe.NumExperts}, top-{moe.TopK}");
        _requests = requests;
        _cost = new IterationCostModel(work, timeModel);
        _router = moe is null ? null : router;
        _config = config;
        _progress = progress;
        _memory = MemoryPlan.For(work, device, config);
        _timeline = config.RecordTimeline ? new TimelineRecorder() : null;
        _device = new ComputeUnit(_sim, device.Name, streams: 1, _timeline);
        _kv = new MemoryPool("kv-cache", (long)_memory.KvCacheBytes);
        _scheduler = new ContinuousBatchScheduler(requests, config, _kv, _memory.KvBytesPerToken);
        _distinct = new int[_router?.NumMoeLayers ?? 0];
    }

    public MemoryPlan Memory => _memory;

    /// <summary>Runs the whole request stream to completion.</summary>
    public SimulationResult Run()
    {
        _sim.Schedule(SimTime.FromSeconds(_requests[0].ArrivalSeconds), this, ArrivalEvent, 0);
        _sim.Run();
        var outcomes = _scheduler.Outcomes(out var last);
        var first = SimTime.FromSeconds(_requests[0].ArrivalSeconds).Picoseconds;
        _progress?.Report(1.0);
        return new SimulationResult
        {
            Requests = outcomes,
            Iterations = _iterations,
            Memory = _memory,
            MakespanSeconds = (last - first) / 1e12,
            BusySeconds = _device.BookedBusyTime.Seconds,
            EventsProcessed = _sim.EventsProcessed,
            PeakKvReservedBytes = _peakKv,
            Timeline = _timeline,
        };
    }

    public void OnEvent(Simulator sim, int kind, long arg0, long arg1)
    {
        if (kind == ArrivalEvent)
        {
            // Requests arriving at the same instant join the same pass: enqueue them all before
            // forming a batch (otherwise the first would start a pass alone).
            var next = _scheduler.EnqueueArrivals((int)arg0, sim.Now);
            // Only the next arrival is ever queued, which keeps the event heap small.
            if (next < _requests.Count)
                sim.Schedule(SimTime.FromSeconds(_requests[next].ArrivalSeconds), this, ArrivalEvent, next);
            if (!_busy) StartPass();
        }
        else
        {
            var emitted = _scheduler.CompleteBatch(sim.Now.Picoseconds);
            _iterations.Add(new IterationRecord
            {
                StartPicoseconds = _currentStart,
                EndPicoseconds = sim.Now.Picoseconds,
                PrefillTokens = (int)_current.PrefillTokens,
                DecodeSequences = _current.DecodeSequences,
                OutputTokens = emitted,
                Flops = _currentCost.Flops,
                Bytes = _currentCost.Bytes,
                KvReservedDuringPassBytes = _currentKv,
                KvReservedBytes = _kv.UsedBytes,
                RunningSequences = _scheduler.RunningCount,
            });
            _busy = false;
            if (_progress is not null && _iterations.Count % ProgressEveryPasses == 0)
                _progress.Report((double)_scheduler.FinishedCount / _requests.Count);
            StartPass();
        }
    }

    private void StartPass()
    {
        var shape = _scheduler.FormBatch(_routingBatch);
        if (shape.Tokens == 0) return; // idle until the next arrival
        if (_router is not null) _router.RouteDistinct(_routingBatch, _distinct);
        _currentCost = _cost.Evaluate(shape, _distinct);
        _current = shape;
        _currentStart = _sim.Now.Picoseconds;
        _currentKv = _kv.UsedBytes;
        _peakKv = Math.Max(_peakKv, _currentKv);
        _busy = true;
        var label = shape.PrefillTokens == 0 ? "decode" : shape.DecodeSequences == 0 ? "prefill" : "prefill+decode";
        _device.Submit(SimTime.FromSeconds(_currentCost.Seconds), this, PassDoneEvent, 0, 0, label);
    }
}
