using MoESim.Models;

namespace MoESim.Cost;

/// <summary>
/// Cost of whole forward passes: sums per-operator times over the model's
/// <see cref="LayerProgram"/>. Operators of the same kind cost the same in every layer but the
/// routed experts, whose weight traffic depends on how many distinct experts each MoE layer's
/// batch activates, so each kind is costed once and counted as often as the program runs it:
/// one pass costs O(MoE layers).
/// </summary>
public sealed class IterationCostModel
{
    private readonly ModelWork _work;
    private readonly IOperatorTimeModel _time;
    private readonly LayerProgram _program;
    private readonly int _moeLayers;
    private readonly double[] _expertSecondsByDistinct; // per-pass memo: layers mostly share a count
    private readonly double[] _expertBytesByDistinct;

    public IterationCostModel(ModelWork work, IOperatorTimeModel time)
    {
        _work = work;
        _time = time;
        _program = LayerProgram.For(work.Model);
        _moeLayers = _program.CountOf(LayerOperator.RoutedExperts);
        var experts = work.Model.Moe?.NumExperts ?? 0;
        _expertSecondsByDistinct = new double[experts + 1];
        _expertBytesByDistinct = new double[experts + 1];
    }

    public ModelWork Work => _work;

    /// <summary>The operators a pass runs, in order.</summary>
    public LayerProgram Program => _program;
    public IOperatorTimeModel TimeModel => _time;

    /// <summary>
    /// Cost of one pass. <paramref name="distinctExpertsPerMoeLayer"/> has one entry per MoE
    /// layer (ignored for dense models); an empty span means every expert is active.
    /// </summary>
    public IterationCost Evaluate(in BatchShape batch, ReadOnlySpan<int> distinctExpertsPerMoeLayer)
    {
        double seconds = 0, flops = 0, bytes = 0;
        void Add(in OperatorWork w, int times, ref double s, ref double f, ref double by)
        {
            if (times == 0) return;
            s += times * _time.Seconds(w);
            f += times * w.Flops;
            by += times * w.TotalBytes;
        }

        var p = _program;
        int layers = p.CountOf(LayerOperator.Attention);
        Add(_work.AttentionProjection(batch), layers, ref seconds, ref flops, ref bytes);
        if (batch.PrefillTokens > 0) Add(_work.AttentionPrefill(batch), layers, ref seconds, ref flops, ref bytes);
        if (batch.DecodeSequences > 0) Add(_work.AttentionDecode(batch), layers, ref seconds, ref flops, ref bytes);
        Add(_work.DenseFfn(batch), p.CountOf(LayerOperator.DenseFfn), ref seconds, ref flops, ref bytes);
        if (_moeLayers > 0)
        {
            Add(_work.Router(batch), p.CountOf(LayerOperator.Router), ref seconds, ref flops, ref bytes);
            Add(_work.SharedExpert(batch), p.CountOf(LayerOperator.SharedExpert), ref seconds, ref flops, ref bytes);
            var experts = _work.Model.Moe!.NumExperts;
            if (distinctExpertsPerMoeLayer.IsEmpty)
            {
                Add(_work.ExpertFfn(batch, experts), _moeLayers, ref seconds, ref flops, ref bytes);
            }
            else
            {
                if (distinctExpertsPerMoeLayer.Length != _moeLayers)
                    throw new ArgumentException($"expected {_moeLayers} per-layer expert counts, got {distinctExpertsPerMoeLayer.Length}", nameof(distinctExpertsPerMoeLayer));
                Array.Fill(_expertSecondsByDistinct, -1.0);
                var expertFlops = _work.ExpertFfn(batch, 0).Flops;
                foreach (var distinct in distinctExpertsPerMoeLayer)
                {
                    if (_expertSecondsByDistinct[distinct] < 0)
                    {
                        var w = _work.ExpertFfn(batch, distinct);
                        _expertSecondsByDistinct[distinct] = _time.Seconds(w);
                        _expertBytesByDistinct[distinct] = w.TotalBytes;
                    }
                    seconds += _expertSecondsByDistinct[distinct];
                    flops += expertFlops;
                    bytes += _expertBytesByDistinct[distinct];
                }
            }
        }
        Add(_work.LmHead(batch), p.CountOf(LayerOperator.LmHead), ref seconds, ref flops, ref bytes);
        return new IterationCost(seconds, flops, bytes);
    }

    /// <summary>
    /// Per-operator costs of one pass (one entry per operator, with the number of layers that
    /// run it), for rooflines and reports. Routed experts use <paramref name="distinctExperts"/>.
    /// </summary>
    public IReadOnlyList<OperatorCost> Breakdown(in BatchShape batch, int distinctExperts)
    {
        var result = new List<OperatorCost>();
        var p = _program;
        int layers = p.CountOf(LayerOperator.Attention);
        void Add(OperatorWork w, int times)
        {
            if (times > 0 && (w.Flops > 0 || w.TotalBytes > 0)) result.Add(new OperatorCost(w, _time.Seconds(w), times));
        }
        Add(_work.AttentionProjection(batch), layers);
        if (batch.PrefillTokens > 0) Add(_work.AttentionPrefill(batch), layers);
        if (batch.DecodeSequences > 0) Add(_work.AttentionDecode(batch), layers);
        Add(_work.DenseFfn(batch), p.CountOf(LayerOperator.DenseFfn));
        if (_moeLayers > 0)
        {
            Add(_work.Router(batch), p.CountOf(LayerOperator.Router));
            Add(_work.SharedExpert(batch), p.CountOf(LayerOperator.SharedExpert));
            Add(_work.ExpertFfn(batch, distinctExperts), _moeLayers);
        }
        Add(_work.LmHead(batch), p.CountOf(LayerOperator.LmHead));
        return result;
    }
}
