using MoESim.Traces;
using MoESim.Traces.Statistics;

namespace MoESim.Tests.Traces.Statistics;

[TestFixture]
public class TraceStatisticsCollectorTests
{
    private static readonly TraceShape Shape = new() { NumMoeLayers = 2, NumExperts = 4, TopK = 2 };

    private static RoutingStep Step(int request, int iteration, int first, bool prefill, params int[][] tokens)
    {
        // tokens[t] = experts of token t: layer 0 then layer 1 (k = 2 each).
        var step = new RoutingStep();
        step.Reset(request, iteration, first, tokens.Length, prefill, 2, 2, false);
        for (var t = 0; t < tokens.Length; t++)
            for (var l = 0; l < 2; l++)
                tokens[t].AsSpan(l * 2, 2).CopyTo(step.Experts(l, t));
        return step;
    }

    [Test]
    public void LocalityCountsSharedExpertsWithThePreviousTokenOfTheSameRequest()
    {
        var c = new TraceStatisticsCollector(Shape, new TraceStatisticsOptions());
        c.Add(Step(0, 0, 0, true, [0, 1, 2, 3], [0, 2, 2, 3]));   // token 1 vs 0: layer 0 shares {0}, layer 1 shares {2,3}
        c.Add(Step(1, 0, 0, true, [3, 2, 0, 1]));                 // another request: nothing to compare
        c.Add(Step(0, 1, 2, false, [0, 2, 1, 0]));                // decode vs request 0's last prompt token: layer 0 {0,2}, layer 1 none
        var stats = c.Finish();
        var prefill = stats.Phases[0].Layers;
        Assert.That(prefill[0].LocalityPairs, Is.EqualTo(1));
        Assert.That(prefill[0].ReuseRate, Is.EqualTo(0.5));
        Assert.That(prefill[1].ReuseRate, Is.EqualTo(1.0));
        var decode = stats.Phases[1].Layers;
        Assert.That(decode[0].ReuseRate, Is.EqualTo(1.0));
        Assert.That(decode[1].ReuseRate, Is.EqualTo(0.0));
        // Popularity uses every selection: prefill layer 0 saw 0,1,0,2,3,2.
        Assert.That(stats.Phases[0].ExpertSelections[0], Is.EqualTo(new long[] { 2, 1, 2, 1 }));
        Assert.That(stats.Phases[0].Tokens, Is.EqualTo(3));
        Assert.That(stats.Phases[1].Tokens, Is.EqualTo(1));
    }

    [Test]
    public void IdenticalTokensGiveKDistinctExpertsAtEveryBatchSize()
    {
        var c = new TraceStatisticsCollector(Shape, new TraceStatisticsOptions { BatchReservoirTokens = 64 });
        for (var i = 0; i < 100; i++) c.Add(Step(i, 0, 0, true, [1, 3, 0, 2]));
        var p = c.Finish().Phases[0];
        Assert.That(p.BatchSizes, Is.EqualTo(new[] { 1, 2, 4, 8, 16, 32, 64 }));
        Assert.That(p.DistinctExpertsMeasured, Has.All.EqualTo(2.0));
        Assert.That(p.DistinctExpertsIndependent, Has.All.EqualTo(2.0).Within(1e-12));
        // LRU with 2 slots hits everything after the first token's two cold misses per layer.
        Assert.That(p.LruHitRate[1], Is.EqualTo(1 - 4.0 / 400).Within(1e-12));
    }

    [Test]
    public void SampleKeepsAboutTheFractionOfRequestsAndIsDeterministic()
    {
        var sampler = new RequestSampler(0.1, 5);
        var kept = Enumerable.Range(0, 100_000).Count(sampler.Contains);
        Assert.That(kept, Is.EqualTo(10_000).Within(400));
        Assert.That(Enumerable.Range(0, 1000).Select(new RequestSampler(0.1, 5).Contains), Is.EqualTo(Enumerable.Range(0, 1000).Select(sampler.Contains)));
    }

    [Test]
    public void ExpertIdOutOfRangeThrowsInsteadOfCorruptingCounts()
    {
        var c = new TraceStatisticsCollector(Shape, new TraceStatisticsOptions());
        Assert.Throws<IndexOutOfRangeException>(() => c.Add(Step(0, 0, 0, true, [0, 4, 0, 1])));
    }
}
