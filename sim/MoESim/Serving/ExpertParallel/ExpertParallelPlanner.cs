using MoESim.Collectives;
using MoESim.Cost;
using MoESim.Engine;
using MoESim.Parallelism;
using MoESim.Results;
using MoESim.Serving.Loop;
using MoESim.Traces;
using MoESim.Units;

namespace MoESim.Serving.ExpertParallel;

/// <summary>
/// Runs a step on a multi-GPU system: attention and dense layers data-parallel over groups of
/// tensor-parallel GPUs, routed experts expert-parallel over every GPU (a dense model is plain
/// DP × TP). The model's layers run as a bulk-synchronous program (<see cref="ExpertParallelProgram"/>): compute phases last as long
/// as their slowest GPU, collectives (TP all-reduce/all-gather, MoE dispatch and combine
/// all-to-alls) run as flows over the topology, sharing links max-min fair.
/// </summary>
public sealed class ExpertParallelPlanner : IStepPlanner, IEventTarget
{
    private const int PhaseDoneEvent = 2;
    private const int CollectiveDoneEvent = 3;

    private readonly IRoutingSource? _router;
    private readonly ExpertParallelCosts _costs;
    private readonly ExpertParallelProgram _program;
    private static readonly string[] PhaseNames = Enum.GetNames<PhaseKind>();
    private readonly TimelineRecorder? _timeline;
    private long _phaseStart;
    private readonly TopologyNetwork _net;
    private readonly Simulator _sim;
    private readonly ExpertParallelBatch _batch;
    private readonly MoeStepRouting? _routing;
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
    private int[] _expertIds = new int[1024];
    private int _pc;
    private int _pendingCollectives;
    private long _dispatchStart;
    private double _allToAllSeconds, _tpSeconds;
    private long _allToAllBytes;
    private double _stepFlops, _stepBytes;
    private double _lastFlops, _lastBytes;
    private long _steps;
    private IEventTarget? _onDone;
    private int _doneKind;

    /// <summary>
    /// A planner for steps of <paramref name="requests"/> (in arrival order) on <paramref name="network"/>'s
    /// system, routing with <paramref name="router"/> and placing experts by <paramref name="placement"/>.
    /// </summary>
    public ExpertParallelPlanner(ModelWork work, TopologyNetwork network, IReadOnlyList<IOperatorTimeModel> timeModels,
        ExpertPlacement? placement, IRoutingSource? router, IReadOnlyList<Request> requests, ExpertParallelConfig config,
        TimelineRecorder? timeline = null)
    {
        _timeline = timeline;
        var model = work.Model;
        var moe = model.Moe;
        if (moe is not null && (placement is null || router is null))
            throw new ArgumentException($"model {model.Name} has routed experts: expert parallelism needs a placement and a router", nameof(work));
        _n = network.DeviceCount;
        _tp = config.TensorParallel;
        _router = router;
        _net = network;
        _sim = network.Simulator;
        _topK = moe?.TopK ?? 0;
        _costs = new ExpertParallelCosts(work, timeModels, _tp);
        _program = ExpertParallelProgram.For(model, _tp);
        _batch = new ExpertParallelBatch(requests, _n, _tp);
        _bytesPerToken = (long)(model.HiddenSize * DataTypes.BytesPerElement(model.DataTypes.Activations));
        _a2a = new AllToAll(network, null, config.AllToAll);
        _routing = moe is null ? null : new MoeStepRouting(placement!, _topK, _bytesPerToken, config.Dispatch, _a2a);
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

    /// <inheritdoc/>
    public double LastStepFlops => _lastFlops;

    /// <inheritdoc/>
    public double LastStepBytes => _lastBytes;

    /// <inheritdoc/>
    public double BusySeconds => _busy.Average();

    /// <summary>The expert-parallel figures of every step run so far.</summary>
    public ExpertParallelStats Stats() => new()
    {
        Devices = _n,
        Steps = _steps,
        DevicePairs = _devicePairs,
        MoeLayerSeconds = _moeLayerSeconds,
        StragglerSeconds = _stragglerSeconds,
        AllToAllSeconds = _allToAllSeconds,
        AllToAllBytes = _allToAllBytes,
        TensorParallelSeconds = _tpSeconds,
    };

    void IEventTarget.OnEvent(Simulator sim, int kind, long arg0, long arg1)
    {
        switch (kind)
        {
            case PhaseDoneEvent:
                Advance();
                break;
            case CollectiveDoneEvent:
                if (--_pendingCollectives == 0) CollectivesDone();
                break;
            default:
                throw new InvalidOperationException($"expert-parallel planner: unknown event kind {kind}");
        }
    }

    /// <inheritdoc/>
    public void StartStep(in BatchShape batch, RoutingBatch routing, IEventTarget onDone, int kind)
    {
        _onDone = onDone;
        _doneKind = kind;
        _batch.Split(routing);
        if (_routing is not null)
        {
            int tokens = _batch.Tokens;
            int ids = _routing.MoeLayers * tokens * _topK;
            if (_expertIds.Length < ids) _expertIds = new int[Math.Max(ids, _expertIds.Length * 2)];
            _router!.RouteTokens(routing, _expertIds.AsSpan(0, ids));
            _routing!.Plan(_expertIds.AsSpan(0, ids), _batch.HomeDevice, tokens);
        }

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
                if (_routing!.PlansRailLegs) _a2a.Start(_routing!.DispatchLegs(phase.MoeLayer), this, CollectiveDoneEvent);
                else _a2a.Start(_routing!.DispatchBytes(phase.MoeLayer), this, CollectiveDoneEvent);
                break;
            case PhaseKind.Combine:
                _pendingCollectives = 1;
                if (_routing!.PlansRailLegs) _a2a.Start(_routing!.CombineLegs(phase.MoeLayer), this, CollectiveDoneEvent);
                else
                {
                    _routing!.CombineBytes(phase.MoeLayer, _combine);
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
        var pairs = _routing!.PairsPerDevice(moeLayer);
        var distinct = _routing!.DistinctExpertsPerDevice(moeLayer);
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
        var (expertFlops, expertBytes) = _costs.TakeWork();
        _lastFlops = _stepFlops + expertFlops;
        _lastBytes = _stepBytes + expertBytes;
        _steps++;
        // Delivered directly, at this instant, as the bulk-synchronous program ends here.
        _onDone!.OnEvent(_sim, _doneKind, 0, 0);
    }
}
