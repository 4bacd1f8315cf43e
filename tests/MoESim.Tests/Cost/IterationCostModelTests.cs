using MoESim.Cost;

namespace MoESim.Tests.Cost;

[TestFixture]
public class IterationCostModelTests
{
    [Test]
    public void DecodeBatchOfOne_WithTwoDistinctExperts_IsMemoryBoundOnActiveWeights()
    {
        // Mixtral bf16, one decode token, 2 experts active per layer. On the round device
        // (1 TB/s, 100 TFLOP/s, no overhead) every operator is memory-bound, so the pass time is
        // total bytes / 1 TB/s. Weight bytes alone: 32 layers x (attention 41,943,040 + router
        // 32,768 + 2 experts x 176,160,768) x 2 B + LM head 131,072,000 x 2 B.
        var cost = new IterationCostModel(new ModelWork(CostTestModels.Mixtral()), new RooflineTimeModel(CostTestModels.RoundDevice()));
        var distinct = Enumerable.Repeat(2, 32).ToArray();
        var result = cost.Evaluate(BatchShape.Decode(1, 512), distinct);
        var weightBytes = 32.0 * (41_943_040 + 32_768 + 2 * 176_160_768) * 2.0 + 131_072_000 * 2.0;
        Assert.That(result.Bytes, Is.GreaterThan(weightBytes));
        Assert.That(result.Bytes, Is.LessThan(weightBytes * 1.01), "activations and KV are under 1% at batch 1");
        Assert.That(result.Seconds, Is.EqualTo(result.Bytes / 1e12).Within(1e-9).Percent);
    }

    [Test]
    public void MoreDistinctExperts_AddExactlyTheirWeightTraffic()
    {
        // Going from 2 to 8 active experts in every layer adds 32 x 6 x 176,160,768 x 2 bytes.
        var cost = new IterationCostModel(new ModelWork(CostTestModels.Mixtral()), new RooflineTimeModel(CostTestModels.RoundDevice()));
        var two = cost.Evaluate(BatchShape.Decode(4, 512), Enumerable.Repeat(2, 32).ToArray());
        var eight = cost.Evaluate(BatchShape.Decode(4, 512), Enumerable.Repeat(8, 32).ToArray());
        Assert.That(eight.Bytes - two.Bytes, Is.EqualTo(32.0 * 6 * 176_160_768 * 2).Within(1e-9).Percent);
        Assert.That(eight.Flops, Is.EqualTo(two.Flops), "FLOPs depend on tokens, not on which experts");
    }

    [Test]
    public void DenseModel_HasNoRouterOrExperts()
    {
        var dense = CostTestModels.Mixtral() with { Moe = null, DenseIntermediateSize = 14336 };
        var cost = new IterationCostModel(new ModelWork(dense), new RooflineTimeModel(CostTestModels.RoundDevice()));
        var kinds = cost.Breakdown(BatchShape.Decode(1, 10), 0).Select(o => o.Work.Kind).ToList();
        Assert.That(kinds, Does.Contain(OperatorKinds.DenseFfn));
        Assert.That(kinds, Has.None.EqualTo(OperatorKinds.Router).And.None.EqualTo(OperatorKinds.ExpertFfn));
    }

    [Test]
    public void WrongNumberOfPerLayerCounts_IsRejected()
    {
        var cost = new IterationCostModel(new ModelWork(CostTestModels.Mixtral()), new RooflineTimeModel(CostTestModels.RoundDevice()));
        Assert.Throws<ArgumentException>(() => cost.Evaluate(BatchShape.Decode(1, 1), new[] { 2, 2 }));
    }

    [Test]
    public void ExpectedDistinctExperts_UniformClosedForm()
    {
        // n(1 - (1 - k/n)^b): Mixtral b=1 -> 2; b=4 -> 8(1 - 0.75^4) = 5.47 -> 5.
        var model = CostTestModels.Mixtral();
        Assert.That(RooflineAnalysis.ExpectedDistinctExperts(model, 1), Is.EqualTo(2));
        Assert.That(RooflineAnalysis.ExpectedDistinctExperts(model, 4), Is.EqualTo(5));
    }
}
