using MoESim.Bench.Cases;

namespace MoESim.Bench.Tests;

[TestFixture]
public sealed class SkewedRoutingTests
{
    [Test]
    public void EveryTokenPicksDistinctExperts_AndSortedRowsAreConsistent()
    {
        var r = new SkewedRouting(tokens: 200, topK: 4, experts: 16, zipfExponent: 1.2, seed: 9);
        Assert.That(r.TokensPerExpert.Sum(), Is.EqualTo(800));
        for (var t = 0; t < 200; t++)
        {
            var experts = Enumerable.Range(0, 4).Select(j => r.ExpertOfRow[r.SlotOfPair[t * 4 + j]]).ToList();
            Assert.That(experts.Distinct().Count(), Is.EqualTo(4), $"token {t}");
            Assert.That(Enumerable.Range(0, 4).All(j => r.SourceToken[r.SlotOfPair[t * 4 + j]] == t));
        }
        Assert.That(r.ExpertOfRow, Is.Ordered);
    }

    [Test]
    public void Histogram_IsSkewedTowardsLowRanks()
    {
        var r = new SkewedRouting(tokens: 2000, topK: 2, experts: 16, zipfExponent: 1.2, seed: 4);
        // Zipf 1.2 without replacement: expert 0 is chosen by most tokens, expert 15 by few.
        Assert.That(r.TokensPerExpert[0], Is.GreaterThan(4 * r.TokensPerExpert[15]));
    }
}
