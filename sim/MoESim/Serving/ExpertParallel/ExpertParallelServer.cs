using MoESim.Collectives;
using MoESim.Cost;
using MoESim.Engine;
using MoESim.Parallelism;
using MoESim.Traces;
using MoESim.Units;

namespace MoESim.Serving.ExpertParallel;

/// <summary>
/// Serves a request stream on a multi-GPU system with expert parallelism. Continuous batching
/// as on one device (one scheduler whose limits are the DP groups' summed); each step runs the
/// model's layers as a bulk-synchronous program (<see cref="ExpertParallelProgram"/>): compute
/// phases last as long as their slowest GPU, collectives (TP all-reduce/all-gather, MoE
/// dispatch and combine all-to-alls) run as flows over the topology, sharing links max-min fair.
/// </summary>
public sealed class ExpertParallelServer : IEventTarget
{
    private const int ArrivalEvent = 1;
    private const int PhaseDoneEvent = 2;
    private const int CollectiveDoneEvent = 3;
    private const int ProgressEveryPasses = 256;

    private readonly IReadOnlyList<Request> _requests;
    private readonly IRoutingSource _router;
    private readonly ExpertParallelCosts _costs;
    private readonly ExpertParallelMemory _memory;
    private readonly ExpertParallelProgram _program;
    private static readonly string[] PhaseNames = Enum.GetNames<PhaseKind>();
    private readonly IProgress<double>? _progress;
    private readonly TimelineRecorder? _timeline;
    private long _phaseStart;
    private readonly TopologyNetwork _net;
    private readonly Simulator _sim;
    private readonly MemoryPool _kv;
    private readonly ContinuousBatchScheduler _scheduler;
    private readonly RoutingBatch _routingBatch = new();
    private readonly ExpertParallelBatch _batch;
    private readonly MoeStepRouting _routing;
    private readonly AllToAll _a2a;
    private readonly TensorParallelCollectives _tpCollectives;
    private readonly int _n;
    private readonly int _tp;
    private readonly int _topK;
    private readonly long _bytesPerToken;
    private readonly double[] _attention, _routerShared, _dense, _lmHead, _experts, _busy;
    private readonly long[] _combine;
    private readonly long[] _devicePairs;
    private readonly double[] _moeLayerSeconds, _stragglerSeconds;
    private readonly List<IterationRecord> _iterations = new();
    private int[] _expertIds = new int[1024];
    private int _pc;
    private int _pendingCollectives;
    private long _dispatchStart;
    private double _allToAllSeconds, _tpSeconds;
    private long _allToAllBytes;
    private bool _busyNow;
    private BatchShape _current;
    private long _currentStart;
    private long _currentKv;
    private double _stepFlops, _stepBytes;
    private long _peakKv;

    /// <summary>
    /// A server for <paramref name="requests"/> (in arrival order) on <paramref name="network"/>'s
    /// system, routing with <paramref name="router"/> and placing experts by <paramref name="placement"/>.
    /// </summary>
    public ExpertParallelServer(ModelWork work, TopologyNetwork network, IReadOnlyList<IOperatorTimeModel> timeModels,
        ExpertPlacement placement, IRoutingSource router, IReadOnlyList<Request> requests, ExpertParallelConfig config,
        IProgress<double>? progress = null, TimelineRecorder? timeline = null)
    {
        _timeline = timeline;
        var model = work.Model;
        var moe = model.Moe ?? throw new ArgumentException($"model {model.Name} has no MoE layers: expert parallelism needs routed experts", nameof(work));
        _n = network.DeviceCount;
        _tp = config.TensorParallel;
        _requests = requests;
        _router = router;
        _progress = progress;
        _net = network;
        _sim = network.Simulator;
        _topK = moe.TopK;
        _memory = ExpertParallelMemory.For(work, network.Topology, placement, config);
        _costs = new ExpertParallelCosts(work, timeModels, _tp);
        _program = ExpertParallelProgram.For(model, _tp);
        int dp = _n / _tp;
        _kv = new MemoryPool("kv-cache", (long)_memory.KvCacheBytes);
        var global = config.Serving with { MaxBatchTokens = config.Serving.MaxBatchTokens * dp, MaxSequences = config.Serving.MaxSequences * dp };
        _scheduler = new ContinuousBatchScheduler(requests, global, _kv, _memory.KvBytesPerToken);
        _batch = new ExpertParallelBatch(requests, _n, _tp);
        _bytesPerToken = (long)(model.HiddenSize * DataTypes.BytesPerElement(model.DataTypes.Activations));
        _a2a = new AllToAll(network, null, config.AllToAll);
        _routing = new MoeStepRouting(placement, _topK, _bytesPerToken, config.Dispatch, _a2a);
        _tpCollectives = new TensorParallelCollectives(network, _tp);
        _attention = new double[_n];
        _routerShared = new double[_n];
        _dense = new double[_n];
        _lmHead = new double[_n];
        _experts = new double[_n];
        _busy = new double[_n];
        _combine = new long[_n * _n];
        _devicePairs = new long[_n];
        _moeLayerSeconds = new double[model.NumMoeLayers];
        _stragglerSeconds = new double[model.NumMoeLayers];
    }

    /// <summary>The memory plan.</summary>
    public ExpertParallelMemory Memory => _memory;

    /// <summary>Runs the whole request stream to completion.</summary>
    public ExpertParallelResult Run(Func<SimulationResult, Metrics.ServingMetrics> metrics)
    {
        _sim.Schedule(SimTime.FromSeconds(_requests[0].ArrivalSeconds), this, ArrivalEvent, 0);
        _sim.Run();
        var outcomes = _scheduler.Outcomes(out var last);
        _progress?.Report(1.0);
        var serving = new SimulationResult
        {
            Requests = outcomes,
            Iterations = _iterations,
            Memory = _memory.AsSystemPlan(),
            MakespanSeconds = (last - SimTime.FromSeconds(_requests[0].ArrivalSeconds).Picoseconds) / 1e12,
            BusySeconds = _busy.Average(),
            EventsProcessed = _sim.EventsProcessed,
            PeakKvReservedBytes = _peakKv,
        };
        return new ExpertParallelResult
        {
            Serving = serving,
            Metrics = metrics(serving),
            Devices = _n,
            Steps = _iterations.Count,
            DevicePairs = _devicePairs,
            MoeLayerSeconds = _moeLayerSeconds,
            StragglerSeconds = _stragglerSeconds,
            AllToAllSeconds = _allToAllSeconds,
            AllToAllBytes = _allToAllBytes,
            TensorParallelSeconds = _tpSeconds,
        };
    }

    void IEventTarget.OnEvent(Simulator sim, int kind, long arg0, long arg1)
    {
        switch (kind)
        {
            case ArrivalEvent:
                Arrive((int)arg0);
                break;
            case PhaseDoneEvent:
                Advance();
                break;
            case CollectiveDoneEvent:
                if (--_pendingCollectives == 0) CollectivesDone();
                break;
            default:
                throw new InvalidOperationException($"expert-parallel server: unknown event kind {kind}");
        }
    }

    private void Arrive(int id)
    {
        // Requests arriving at the same instant join the same step (as on one device).
        int next = _scheduler.EnqueueArrivals(id, _sim.Now);
        if (next < _requests.Count)
            _sim.Schedule(SimTime.FromSeconds(_requests[next].ArrivalSeconds), this, ArrivalEvent, next);
        if (!_busyNow) StartPass();
    }

    private void StartPass()
    {
        var shape = _scheduler.FormBatch(_routingBatch);
        if (shape.Tokens == 0) return; // idle until the next arrival
        _busyNow = true;
        _current = shape;
        _currentStart = _sim.Now.Picoseconds;
        _currentKv = _kv.UsedBytes;
        _peakKv = Math.Max(_peakKv, _currentKv);
        _batch.Split(_routingBatch);
        int tokens = _batch.Tokens;
        int ids = _routing.MoeLayers * tokens * _topK;
        if (_expertIds.Length < ids) _expertIds = new int[Math.Max(ids, _expertIds.Length * 2)];
        _router.RouteTokens(_routingBatch, _expertIds.AsSpan(0, ids));
        _routing.Plan(_expertIds.AsSpan(0, ids), _batch.HomeDevice, tokens);

        (_stepFlops, _stepBytes) = _costs.CostStep(_batch, _program, _attention, _dense, _routerShared, _lmHead);
        _pc = -1;
        Advance();
    }

    // Runs the next phase of the step's program.
    private void Advance()
    {
        // Phases appear on one "step" track of the timeline (flows appear on their links' tracks).
        if (_timeline is not null && _pc >= 0)
            _timeline.Record("step", PhaseNames[(int)_program[_pc].Kind], new SimTime(_phaseStart), _sim.Now, "moe_layer", _program[_pc].MoeLayer);
        _phaseStart = _sim.Now.Picoseconds;
        if (++_pc == _program.Count)
        {
            FinishPass();
            return;
        }
        var phase = _program[_pc];
        switch (phase.Kind)
        {
            case PhaseKind.Attention: Compute(_attention); break;
            case PhaseKind.DenseFfn: Compute(_dense); break;
            case PhaseKind.RouterAndShared: Compute(_routerShared); break;
            case PhaseKind.LmHead: Compute(_lmHead); break;
            case PhaseKind.Experts: RunExperts(phase.MoeLayer); break;
            case PhaseKind.Dispatch:
                _dispatchStart = _sim.Now.Picoseconds;
                _pendingCollectives = 1;
                if (_routing.PlansRailLegs) _a2a.Start(_routing.DispatchLegs(phase.MoeLayer), this, CollectiveDoneEvent);
                else _a2a.Start(_routing.DispatchBytes(phase.MoeLayer), this, CollectiveDoneEvent);
                break;
            case PhaseKind.Combine:
                _pendingCollectives = 1;
                if (_routing.PlansRailLegs) _a2a.Start(_routing.CombineLegs(phase.MoeLayer), this, CollectiveDoneEvent);
                else
                {
                    _routing.CombineBytes(phase.MoeLayer, _combine);
                    _a2a.Start(_combine, this, CollectiveDoneEvent);
                }
                break;
            case PhaseKind.TpAllReduce:
                _pendingCollectives = _tpCollectives.StartAllReduce(_batch, _bytesPerToken, this, CollectiveDoneEvent);
                break;
            case PhaseKind.TpAllGather:
                _pendingCollectives = _tpCollectives.StartAllGather(_batch, _bytesPerToken, this, CollectiveDoneEvent);
                break;
            default:
                throw new InvalidOperationException($"unknown phase {phase.Kind}");
        }
    }

    private void Compute(double[] secondsPerDevice)
    {
        double max = 0;
        for (int d = 0; d < _n; d++)
        {
            _busy[d] += secondsPerDevice[d];
            max = Math.Max(max, secondsPerDevice[d]);
        }
        _sim.ScheduleAfter(SimTime.FromSeconds(max), this, PhaseDoneEvent);
    }

    private void RunExperts(int moeLayer)
    {
        var pairs = _routing.PairsPerDevice(moeLayer);
        var distinct = _routing.DistinctExpertsPerDevice(moeLayer);
        double max = 0, sum = 0;
        for (int d = 0; d < _n; d++)
        {
            double s = _costs.Experts(d, pairs[d], distinct[d]);
            _experts[d] = s;
            _devicePairs[d] += pairs[d];
            max = Math.Max(max, s);
            sum += s;
        }
        _stragglerSeconds[moeLayer] += max - sum / _n;
        Compute(_experts);
    }

    private void CollectivesDone()
    {
        var phase = _program[_pc];
        if (phase.Kind is PhaseKind.Dispatch or PhaseKind.Combine)
        {
            _allToAllSeconds += _a2a.LastSeconds;
            _allToAllBytes += _a2a.LastMatrixBytes;
            if (phase.Kind == PhaseKind.Combine)
                _moeLayerSeconds[phase.MoeLayer] += (_sim.Now.Picoseconds - _dispatchStart) / (double)SimTime.PicosecondsPerSecond;
        }
        else
        {
            _tpSeconds += _tpCollectives.LastSeconds;
        }
        Advance();
    }

    private void FinishPass()
    {
        var now = _sim.Now.Picoseconds;
        var emitted = _scheduler.CompleteBatch(now);
        var (expertFlops, expertBytes) = _costs.TakeWork();
        _iterations.Add(new IterationRecord
        {
            StartPicoseconds = _currentStart,
            EndPicoseconds = now,
            PrefillTokens = (int)_current.PrefillTokens,
            DecodeSequences = _current.DecodeSequences,
            OutputTokens = emitted,
            Flops = _stepFlops + expertFlops,
            Bytes = _stepBytes + expertBytes,
            KvReservedDuringPassBytes = _currentKv,
            KvReservedBytes = _kv.UsedBytes,
            RunningSequences = _scheduler.RunningCount,
        });
        _busyNow = false;
        if (_progress is not null && _iterations.Count % ProgressEveryPasses == 0)
            _progress.Report((double)_scheduler.FinishedCount / _requests.Count);
        StartPass();
    }
}
