using MoESim.Collectives;
using MoESim.Cost;
using MoESim.Engine;
using MoESim.Parallelism;
using MoESim.Platforms;
using MoESim.Results;
using MoESim.Serving.Loop;
using MoESim.Traces;
using MoESim.Units;

namespace MoESim.Serving.ExpertParallel;

/// <summary>
/// Runs a step on a multi-GPU system: attention and dense layers data-parallel over groups of
/// tensor-parallel GPUs, routed experts expert-parallel over every GPU (a dense model is plain
/// DP × TP). Each step is a task graph run on the system's engine resources: every GPU is a
/// compute unit, and each phase of the model's bulk-synchronous program
/// (<see cref="ExpertParallelProgram"/>) is one task: a compute phase books each GPU's job (its
/// own duration from the cost model) on that GPU's unit and ends with its slowest GPU (one event
/// per phase, not per GPU); a collective (TP all-reduce/all-gather, MoE dispatch and combine
/// all-to-alls) runs its flows over the topology, sharing links max-min fair. A phase waits for
/// the one before it.
/// </summary>
public sealed class ExpertParallelPlanner : IStepPlanner, IEventTarget, IExternalTaskStarter
{
    private const int StepDoneEvent = 2;
    private const int CollectiveDoneEvent = 3;
    private const int ComputeDoneEvent = 4;

    private readonly IRoutingSource? _router;
    private readonly ExpertParallelCosts _costs;
    private readonly ExpertParallelProgram _program;
    private static readonly string[] PhaseNames = Enum.GetNames<PhaseKind>();
    private readonly ComputeUnit[] _gpus;
    private readonly TaskGraph _graph = new(taskCapacity: 1024, dependencyCapacity: 2048);
    private readonly TaskGraphExecutor _executor;
    private readonly Simulator _sim;
    private readonly ExpertParallelBatch _batch;
    private readonly MoeStepRouting? _routing;
    private readonly AllToAll _a2a;
    private readonly TensorParallelCollectives _tpCollectives;
    private readonly int _n;
    private readonly int _tp;
    private readonly int _topK;
    private readonly long _bytesPerToken;
    private readonly double[] _attention, _routerShared, _dense, _lmHead;
    private double[] _experts;    // [moeLayer * devices + device], seconds, for the step being planned
    private readonly long[] _combine;
    private readonly long[] _devicePairs;
    private readonly double[] _moeLayerSeconds, _stragglerSeconds;
    private int[] _expertIds = new int[1024];
    private int _pendingCollectives;
    private int _collectiveTask;  // task id of the collective running now
    private int _collectivePhase; // its phase index
    private long _dispatchStart;
    private double _allToAllSeconds, _tpSeconds;
    private long _allToAllBytes;
    private double _stepFlops, _stepBytes;
    private double _lastFlops, _lastBytes;
    private long _steps;
    private IEventTarget? _onDone;
    private int _doneKind;

    /// <summary>
    /// A planner for steps of <paramref name="requests"/> (in arrival order) on <paramref name="platform"/>'s
    /// system, routing with <paramref name="router"/> and placing experts by <paramref name="placement"/>.
    /// </summary>
    public ExpertParallelPlanner(ModelWork work, Platform platform, IReadOnlyList<IOperatorTimeModel> timeModels,
        ExpertPlacement? placement, IRoutingSource? router, IReadOnlyList<Request> requests, ExpertParallelConfig config)
    {
        var network = platform.Network ?? throw new ArgumentException($"platform {platform.Name} is one device: expert parallelism needs a system", nameof(platform));
        var model = work.Model;
        var moe = model.Moe;
        if (moe is not null && (placement is null || router is null))
            throw new ArgumentException($"model {model.Name} has routed experts: expert parallelism needs a placement and a router", nameof(work));
        _n = network.DeviceCount;
        _tp = config.TensorParallel;
        _router = router;
        _sim = network.Simulator;
        // The platform's compute-unit ids are the device indices the graph uses.
        _gpus = new ComputeUnit[_n];
        for (int d = 0; d < _n; d++) _gpus[d] = platform.Devices[d].Compute;
        _executor = new TaskGraphExecutor(platform.Resources);
        _topK = moe?.TopK ?? 0;
        _costs = new ExpertParallelCosts(work, timeModels, _tp);
        _program = ExpertParallelProgram.For(model, _tp);
        _batch = new ExpertParallelBatch(requests, _n, _tp);
        _bytesPerToken = (long)(model.HiddenSize * DataTypes.BytesPerElement(model.DataTypes.Activations));
        _a2a = new AllToAll(network, null, config.AllToAll, config.CollectiveModel);
        _routing = moe is null ? null : new MoeStepRouting(placement!, _topK, _bytesPerToken, config.Dispatch, _a2a);
        _tpCollectives = new TensorParallelCollectives(network, _tp, config.CollectiveModel);
        _attention = new double[_n];
        _routerShared = new double[_n];
        _dense = new double[_n];
        _lmHead = new double[_n];
        _experts = new double[Math.Max(1, model.NumMoeLayers) * _n];
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
    public double BusySeconds
    {
        get
        {
            double sum = 0;
            foreach (var gpu in _gpus) sum += gpu.BookedBusyTime.Seconds;
            return sum / _n;
        }
    }

    /// <summary>The GPUs as engine compute units (busy time, timeline tracks), indexed by device.</summary>
    public IReadOnlyList<ComputeUnit> Gpus => _gpus;

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
            case StepDoneEvent:
                FinishPass();
                break;
            case CollectiveDoneEvent:
                if (--_pendingCollectives == 0) CollectivesDone();
                break;
            case ComputeDoneEvent:
                _executor.Complete((int)arg0);
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
        if (_routing is not null) CostExperts();
        BuildGraph();
        _executor.Run(_graph, this, StepDoneEvent);
    }

    // Every MoE layer's expert time per GPU (routing is planned for the whole step), with the
    // load and straggler figures; costed after CostStep so TakeWork counts only experts' work.
    private void CostExperts()
    {
        for (int layer = 0; layer < _routing!.MoeLayers; layer++)
        {
            var pairs = _routing.PairsPerDevice(layer);
            var distinct = _routing.DistinctExpertsPerDevice(layer);
            double max = 0, sum = 0;
            for (int d = 0; d < _n; d++)
            {
                double s = _costs.Experts(d, pairs[d], distinct[d]);
                _experts[layer * _n + d] = s;
                _devicePairs[d] += pairs[d];
                max = Math.Max(max, s);
                sum += s;
            }
            _stragglerSeconds[layer] += max - sum / _n;
        }
    }

    // One compute task per GPU and a join for each compute phase, one external task for each
    // collective phase; every phase waits for the one before it (the program's barriers).
    private void BuildGraph()
    {
        var g = _graph;
        g.Clear();
        int previous = -1;
        for (int pc = 0; pc < _program.Count; pc++)
        {
            var phase = _program[pc];
            string label = PhaseNames[(int)phase.Kind];
            int task = g.AddExternal(this, pc, label);
            if (previous >= 0) g.AddDependency(previous, task);
            previous = task;
        }
    }

    // A compute phase starts when the phase before it has ended on every GPU, so every GPU's
    // unit is idle: each GPU's job is booked on its unit (busy time, timeline) and the phase
    // ends with one event at the slowest GPU's end instead of one event per GPU.
    private void StartCompute(int taskId, in ExpertParallelProgram.Phase phase)
    {
        var (seconds, offset) = phase.Kind switch
        {
            PhaseKind.Attention => (_attention, 0),
            PhaseKind.DenseFfn => (_dense, 0),
            PhaseKind.RouterAndShared => (_routerShared, 0),
            PhaseKind.LmHead => (_lmHead, 0),
            PhaseKind.Experts => (_experts, phase.MoeLayer * _n),
            _ => throw new InvalidOperationException($"phase {phase.Kind} is not a compute phase"),
        };
        string label = PhaseNames[(int)phase.Kind];
        long end = _sim.Now.Picoseconds;
        for (int d = 0; d < _n; d++)
        {
            double s = seconds[offset + d];
            if (s <= 0) continue; // an idle GPU books nothing
            end = Math.Max(end, _gpus[d].Submit(SimTime.FromSeconds(s), null, 0, 0, 0, label).Picoseconds);
        }
        _sim.Schedule(new SimTime(end), this, ComputeDoneEvent, taskId);
    }

    /// <summary>Starts program phase <paramref name="argument"/> (the graph's external task <paramref name="taskId"/>): its GPUs' compute, or its collective.</summary>
    void IExternalTaskStarter.Start(int taskId, long argument, TaskGraphExecutor executor)
    {
        var step = _program[(int)argument];
        if (step.Kind is PhaseKind.Attention or PhaseKind.DenseFfn or PhaseKind.RouterAndShared or PhaseKind.LmHead or PhaseKind.Experts)
        {
            StartCompute(taskId, step);
            return;
        }
        _collectiveTask = taskId;
        _collectivePhase = (int)argument;
        var phase = _program[_collectivePhase];
        switch (phase.Kind)
        {
            case PhaseKind.Dispatch:
                _dispatchStart = _sim.Now.Picoseconds;
                _pendingCollectives = 1;
                if (_routing!.PlansRailLegs) _a2a.Start(_routing.DispatchLegs(phase.MoeLayer), this, CollectiveDoneEvent);
                else _a2a.Start(_routing.DispatchBytes(phase.MoeLayer), this, CollectiveDoneEvent);
                break;
            case PhaseKind.Combine:
                _pendingCollectives = 1;
                if (_routing!.PlansRailLegs) _a2a.Start(_routing.CombineLegs(phase.MoeLayer), this, CollectiveDoneEvent);
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
                throw new InvalidOperationException($"phase {phase.Kind} is not a collective");
        }
    }

    private void CollectivesDone()
    {
        var phase = _program[_collectivePhase];
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
        _executor.Complete(_collectiveTask);
    }

    private void FinishPass()
    {
        var (expertFlops, expertBytes) = _costs.TakeWork();
        _lastFlops = _stepFlops + expertFlops;
        _lastBytes = _stepBytes + expertBytes;
        _steps++;
        // The executor's completion event is this instant's; the instance hears of it at once.
        _onDone!.OnEvent(_sim, _doneKind, 0, 0);
    }
}
