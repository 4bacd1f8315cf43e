using MoESim.Models;

namespace MoESim.Cost;

/// <summary>
/// Places a model's operators on a device's roofline: one prefill setting and decode at batch
/// sizes 1..1024. Decode batches activate the expected number of distinct experts under
/// uniform routing, E[d] = n·(1 − (1 − k/n)^b), which is what makes small-batch MoE layers
/// memory-bound.
/// </summary>
public static class RooflineAnalysis
{
    /// <summary>Decode batch sizes shown (sequences).</summary>
    public static readonly IReadOnlyList<int> DecodeBatchSizes = new[] { 1, 4, 16, 64, 256, 1024 };

    public static IReadOnlyList<RooflineSeries> Analyse(IterationCostModel cost, int prefillTokens = 2048, int decodeContextTokens = 2048)
    {
        var model = cost.Work.Model;
        var series = new List<RooflineSeries>();
        var prefill = BatchShape.Prefill(1, prefillTokens);
        var prefillDistinct = ExpectedDistinctExperts(model, prefill.Tokens);
        series.Add(new RooflineSeries($"prefill {prefillTokens} tok", prefill, prefillDistinct, cost.Breakdown(prefill, prefillDistinct)));
        foreach (var b in DecodeBatchSizes)
        {
            var decode = BatchShape.Decode(b, decodeContextTokens);
            var distinct = ExpectedDistinctExperts(model, b);
            series.Add(new RooflineSeries($"decode b={b}", decode, distinct, cost.Breakdown(decode, distinct)));
        }
        return series;
    }

    /// <summary>Expected distinct experts a batch of <paramref name="tokens"/> activates under uniform routing (rounded).</summary>
    public static int ExpectedDistinctExperts(ModelConfig model, long tokens)
    {
        if (model.Moe is null) return 0;
        var n = (double)model.Moe.NumExperts;
        var k = model.Moe.TopK;
        return (int)Math.Round(n * (1 - Math.Pow(1 - k / n, tokens)));
    }
}
