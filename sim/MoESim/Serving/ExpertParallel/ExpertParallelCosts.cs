using MoESim.Cost;

namespace MoESim.Serving.ExpertParallel;

/// <summary>
/// Per-GPU times of the parts of a layer under an EP × (DP × TP) layout, from the same
/// operator work as the single-device model: attention, dense FFN and LM head of a
/// data-parallel group's batch split evenly over its TP GPUs; router and shared experts over a
/// GPU's own tokens; routed experts from the pairs and distinct experts a GPU got. Each call
/// also counts the work's FLOPs and bytes (see <see cref="TakeWork"/>).
/// </summary>
public sealed class ExpertParallelCosts
{
    private readonly ModelWork _work;
    private readonly IReadOnlyList<IOperatorTimeModel> _time;
    private readonly double _tpShare;
    private readonly double _expertFlopsPerPair;
    private readonly double _expertActivationBytesPerPair;
    private readonly OperatorWork _expertTemplate;

    /// <summary>Costs for <paramref name="work"/> with one time model per GPU and attention split over <paramref name="tensorParallel"/> GPUs.</summary>
    public ExpertParallelCosts(ModelWork work, IReadOnlyList<IOperatorTimeModel> timeModels, int tensorParallel)
    {
        _work = work;
        _time = timeModels;
        _tpShare = 1.0 / tensorParallel;
        if (work.Model.Moe is { } moe)
        {
            // One decode token uses top-k pairs: the per-pair figures follow from ModelWork.
            _expertTemplate = work.ExpertFfn(BatchShape.Decode(1, 0), 0);
            _expertFlopsPerPair = _expertTemplate.Flops / moe.TopK;
            _expertActivationBytesPerPair = _expertTemplate.ActivationBytes / moe.TopK;
        }
    }

    private double _flops;
    private double _bytes;

    /// <summary>FLOPs and memory bytes of all work costed since the last call (all GPUs), and starts counting afresh.</summary>
    public (double Flops, double Bytes) TakeWork()
    {
        var result = (_flops, _bytes);
        _flops = 0;
        _bytes = 0;
        return result;
    }

    /// <summary>
    /// Fills every GPU's per-layer attention, dense FFN, router-and-shared and LM-head times for
    /// the step split by <paramref name="batch"/>, and returns the step's FLOPs and bytes of that
    /// work: each per-layer cost is computed once but runs once per layer of its kind (routed
    /// experts are costed layer by layer as they run, see <see cref="Experts"/>).
    /// </summary>
    public (double Flops, double Bytes) CostStep(ExpertParallelBatch batch, ExpertParallelProgram program,
        Span<double> attention, Span<double> dense, Span<double> routerShared, Span<double> lmHead)
    {
        TakeWork();
        for (int d = 0; d < attention.Length; d++) attention[d] = Attention(d, batch.Group(batch.GroupOf(d)));
        var (af, ab) = TakeWork();
        for (int d = 0; d < dense.Length; d++) dense[d] = DenseFfn(d, batch.Group(batch.GroupOf(d)));
        var (df, db) = TakeWork();
        for (int d = 0; d < routerShared.Length; d++) routerShared[d] = RouterAndShared(d, batch.DeviceTokens(d));
        var (sf, sb) = TakeWork();
        for (int d = 0; d < lmHead.Length; d++) lmHead[d] = LmHead(d, batch.Group(batch.GroupOf(d)));
        var (hf, hb) = TakeWork();
        return (af * program.Layers + df * program.DenseLayers + sf * program.MoeLayers + hf,
            ab * program.Layers + db * program.DenseLayers + sb * program.MoeLayers + hb);
    }

    /// <summary>Attention of one layer on <paramref name="device"/> for its group's <paramref name="group"/> batch, seconds.</summary>
    public double Attention(int device, in BatchShape group)
    {
        if (group.Tokens == 0) return 0;
        double s = TpSplit(device, _work.AttentionProjection(group));
        if (group.PrefillTokens > 0) s += TpSplit(device, _work.AttentionPrefill(group));
        if (group.DecodeSequences > 0) s += TpSplit(device, _work.AttentionDecode(group));
        return s;
    }

    /// <summary>Dense FFN of one layer on <paramref name="device"/>, seconds.</summary>
    public double DenseFfn(int device, in BatchShape group) => group.Tokens == 0 ? 0 : TpSplit(device, _work.DenseFfn(group));

    /// <summary>LM head on <paramref name="device"/>, seconds.</summary>
    public double LmHead(int device, in BatchShape group) => group.OutputTokens == 0 ? 0 : TpSplit(device, _work.LmHead(group));

    /// <summary>Router and shared experts of one MoE layer for the <paramref name="tokens"/> tokens living on <paramref name="device"/>, seconds.</summary>
    public double RouterAndShared(int device, int tokens)
    {
        if (tokens == 0) return 0;
        var shape = BatchShape.Decode(tokens, 0);
        return Cost(device, _work.Router(shape)) + Cost(device, _work.SharedExpert(shape));
    }

    /// <summary>Routed experts on <paramref name="device"/>: <paramref name="pairs"/> token-expert pairs over <paramref name="distinctExperts"/> experts, seconds.</summary>
    public double Experts(int device, int pairs, int distinctExperts)
    {
        if (pairs == 0) return 0;
        var w = _expertTemplate with
        {
            Flops = _expertFlopsPerPair * pairs,
            ActivationBytes = _expertActivationBytesPerPair * pairs,
            WeightBytes = distinctExperts * _work.ExpertWeightBytes,
        };
        return Cost(device, w);
    }

    private double TpSplit(int device, in OperatorWork w) => Cost(device, w with
    {
        Flops = w.Flops * _tpShare,
        WeightBytes = w.WeightBytes * _tpShare,
        ActivationBytes = w.ActivationBytes * _tpShare,
        KvCacheBytes = w.KvCacheBytes * _tpShare,
    });

    private double Cost(int device, in OperatorWork w)
    {
        _flops += w.Flops;
        _bytes += w.TotalBytes;
        return _time[device].Seconds(w);
    }
}
