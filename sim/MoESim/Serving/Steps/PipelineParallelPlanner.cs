using MoESim.Cost;
using MoESim.Engine;
using MoESim.Models;
using MoESim.Platforms;
using MoESim.Serving.Loop;
using MoESim.Traces;
using MoESim.Units;

namespace MoESim.Serving.Steps;

/// <summary>
/// Pipeline parallelism for any model: the platform's devices are stages holding contiguous
/// blocks of the model's layers (the LM head on the last), and each step's batch is cut into
/// micro-batches that flow through the stages GPipe-style: micro-batch m runs on stage s after
/// it ran on stage s − 1 and its activations crossed the link between them, while stage s − 1
/// already works on micro-batch m + 1. The step is a task graph: one compute task per (micro-batch,
/// stage) on that stage's device and one transfer per (micro-batch, stage boundary).
/// <para>Micro-batches share the step's tokens, sequences, context and attended pairs evenly
/// (remainders to the first ones), so each costs a fair share of the step's work, except weight
/// reads, which every micro-batch pays again on every stage (as real pipelines do). An MoE
/// layer's routed experts are costed with the whole step's distinct-expert count on every
/// micro-batch: an upper bound on what a smaller micro-batch touches.</para>
/// </summary>
public sealed class PipelineParallelPlanner : IStepPlanner, IEventTarget, IExternalTaskStarter
{
    private const int StepDoneEvent = 1;
    private const int TransferDoneEvent = 2;

    private readonly ModelWork _work;
    private readonly Platform _platform;
    private readonly IReadOnlyList<IOperatorTimeModel> _time;
    private readonly IRoutingSource? _router;
    private readonly int _stages;
    private readonly int _microBatches;
    private readonly int[] _firstLayer;   // per stage, plus the end
    private readonly int[] _denseLayers;  // per stage
    private readonly int[] _firstMoeLayer; // per stage: index among MoE layers of its first MoE layer
    private readonly int[] _distinct;
    private readonly long _activationBytesPerToken;
    private readonly TaskGraph _graph = new(taskCapacity: 256, dependencyCapacity: 512);
    private readonly TaskGraphExecutor _executor;
    private readonly BatchShape[] _micro;
    private readonly int[] _transferSource;   // per external task id: stage that sends
    private readonly long[] _transferBytes;   // per external task id
    private double _lastFlops, _lastBytes;
    private IEventTarget? _onDone;
    private int _doneKind;

    /// <summary>
    /// A planner over every device of <paramref name="platform"/> as one stage each (≥ 1 device,
    /// at most one stage per layer), with <paramref name="microBatches"/> (≥ 1) micro-batches per
    /// step, routing MoE layers with <paramref name="router"/> (null for a dense model).
    /// </summary>
    public PipelineParallelPlanner(ModelWork work, Platform platform, IReadOnlyList<IOperatorTimeModel> timeModels, IRoutingSource? router, int microBatches)
    {
        _work = work;
        _platform = platform;
        _time = timeModels;
        _router = work.Model.Moe is null ? null : router ?? throw new ArgumentException($"model {work.Model.Name} has routed experts: a router is needed", nameof(router));
        _stages = platform.Devices.Count;
        int layers = work.Model.NumLayers;
        if (_stages > layers)
            throw new Config.InputException("policy", "pipeline_parallel", $"{_stages} stages for {layers} layers: a stage needs at least one layer");
        if (_stages > 1 && platform.Network is null)
            throw new ArgumentException("several stages need a system's network between them", nameof(platform));
        if (microBatches < 1)
            throw new Config.InputException("policy", "micro_batches", $"must be at least 1, got {microBatches}");
        _microBatches = microBatches;
        // Contiguous blocks, the first (layers mod stages) stages one layer longer.
        _firstLayer = new int[_stages + 1];
        for (int s = 0; s < _stages; s++) _firstLayer[s + 1] = _firstLayer[s] + layers / _stages + (s < layers % _stages ? 1 : 0);
        _denseLayers = new int[_stages];
        _firstMoeLayer = new int[_stages];
        for (int s = 0, moe = 0; s < _stages; s++)
        {
            _firstMoeLayer[s] = moe;
            for (int layer = _firstLayer[s]; layer < _firstLayer[s + 1]; layer++)
            {
                if (work.Model.IsMoeLayer(layer)) moe++;
                else _denseLayers[s]++;
            }
        }
        _distinct = new int[work.Model.NumMoeLayers];
        _activationBytesPerToken = (long)(work.Model.HiddenSize * DataTypes.BytesPerElement(work.Model.DataTypes.Activations));
        _executor = new TaskGraphExecutor(platform.Resources);
        _micro = new BatchShape[microBatches];
        _transferSource = new int[microBatches * _stages * 2 + 1];
        _transferBytes = new long[_transferSource.Length];
    }

    /// <summary>The first layer of each stage, and the layer count after the last stage.</summary>
    public IReadOnlyList<int> StageFirstLayers => _firstLayer;

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
            foreach (var d in _platform.Devices) sum += d.Compute.BookedBusyTime.Seconds;
            return sum / _stages;
        }
    }

    /// <inheritdoc/>
    public void StartStep(in BatchShape batch, RoutingBatch routing, IEventTarget onDone, int kind)
    {
        _onDone = onDone;
        _doneKind = kind;
        if (_router is not null) _router.RouteDistinct(routing, _distinct);
        int micro = Split(batch);
        _lastFlops = 0;
        _lastBytes = 0;
        var g = _graph;
        g.Clear();
        Array.Clear(_transferSource);
        // Tasks in (micro-batch, stage) order: ids are deterministic and a stage takes
        // micro-batches in order (its unit runs ready tasks first come, first served).
        for (int m = 0; m < micro; m++)
        {
            int before = -1;
            for (int s = 0; s < _stages; s++)
            {
                if (s > 0)
                {
                    int transfer = g.AddExternal(this, 0, "activations");
                    _transferSource[transfer] = s; // the receiving stage; the sender is s - 1
                    _transferBytes[transfer] = _micro[m].Tokens * _activationBytesPerToken;
                    g.AddDependency(before, transfer);
                    before = transfer;
                }
                int compute = g.AddCompute(_platform.Devices[s].ComputeUnitId, SimTime.FromSeconds(StageSeconds(s, _micro[m])), "stage");
                if (before >= 0) g.AddDependency(before, compute);
                before = compute;
            }
        }
        _executor.Run(g, this, StepDoneEvent);
    }

    // Cuts the batch into at most _microBatches non-empty micro-batches; returns how many.
    private int Split(in BatchShape b)
    {
        long sequences = b.PrefillSequences + b.DecodeSequences;
        int m = (int)Math.Max(1, Math.Min(_microBatches, sequences > 0 ? sequences : b.Tokens));
        for (int i = 0; i < m; i++)
        {
            double share = 1.0 / m;
            _micro[i] = new BatchShape
            {
                PrefillTokens = Part(b.PrefillTokens, i, m),
                PrefillSequences = (int)Part(b.PrefillSequences, i, m),
                PrefillAttendedPairs = b.PrefillAttendedPairs * share,
                PrefillCachedTokens = Part(b.PrefillCachedTokens, i, m),
                PrefillCompletions = (int)Part(b.PrefillCompletions, i, m),
                DecodeSequences = (int)Part(b.DecodeSequences, i, m),
                DecodeContextTokens = Part(b.DecodeContextTokens, i, m),
            };
        }
        return m;
    }

    // Part i of n of a count: equal shares, the remainder to the first parts.
    private static long Part(long total, int i, int n) => total / n + (i < total % n ? 1 : 0);

    // The layers of stage s (and the LM head on the last) for one micro-batch, seconds.
    private double StageSeconds(int s, in BatchShape b)
    {
        if (b.Tokens == 0) return 0;
        var time = _time[s];
        double seconds = 0;
        void Add(in OperatorWork w, int times)
        {
            if (times == 0) return;
            seconds += times * time.Seconds(w);
            _lastFlops += times * w.Flops;
            _lastBytes += times * w.TotalBytes;
        }
        int dense = _denseLayers[s];
        int layers = _firstLayer[s + 1] - _firstLayer[s];
        Add(_work.AttentionProjection(b), layers);
        if (b.PrefillTokens > 0) Add(_work.AttentionPrefill(b), layers);
        if (b.DecodeSequences > 0) Add(_work.AttentionDecode(b), layers);
        Add(_work.DenseFfn(b), dense);
        if (layers > dense)
        {
            Add(_work.Router(b), layers - dense);
            Add(_work.SharedExpert(b), layers - dense);
            for (int moe = _firstMoeLayer[s], end = moe + layers - dense; moe < end; moe++)
                Add(_work.ExpertFfn(b, _distinct[moe]), 1);
        }
        if (s == _stages - 1 && b.OutputTokens > 0) Add(_work.LmHead(b), 1);
        return seconds;
    }

    /// <summary>Sends a micro-batch's activations from stage (receiver − 1) to the receiving stage over the system's route.</summary>
    void IExternalTaskStarter.Start(int taskId, long argument, TaskGraphExecutor executor)
    {
        int to = _transferSource[taskId];
        long bytes = _transferBytes[taskId];
        if (bytes == 0) executor.Complete(taskId);
        else _platform.Network!.StartFlow(to - 1, to, bytes, this, TransferDoneEvent, taskId);
    }

    void IEventTarget.OnEvent(Simulator sim, int kind, long arg0, long arg1)
    {
        switch (kind)
        {
            case TransferDoneEvent:
                _executor.Complete((int)arg0);
                break;
            case StepDoneEvent:
                _onDone!.OnEvent(sim, _doneKind, 0, 0);
                break;
            default:
                throw new InvalidOperationException($"pipeline-parallel planner: unknown event kind {kind}");
        }
    }
}
