using MoESim.Randomness;
using MoESim.Traces;

namespace MoESim.Tests.Traces;

[TestFixture]
public class SyntheticRouterTests
{
    private static SyntheticRouter Router(int layers, int experts, int topK, double zipf, ulong seed = 1) => new(new SyntheticRouterConfig
    {
        NumMoeLayers = layers,
        NumExperts = experts,
        TopK = topK,
        ZipfExponent = zipf,
        Seed = seed,
    });

    private static RoutingBatch Batch(int tokens)
    {
        var batch = new RoutingBatch();
        batch.Add(new SequenceSlice(0, 0, tokens, IsPrefill: true));
        return batch;
    }

    [TestCase(8, 2, 0.0)]
    [TestCase(8, 2, 1.0)]
    [TestCase(8, 2, 2.0)]   // weights 1, 1/4, 1/9, ...: 2·1/1.527 > 1, so the hottest is capped
    [TestCase(16, 4, 4.0)]
    [TestCase(64, 6, 1.2)]
    [TestCase(8, 8, 1.0)]   // k = n: every expert always chosen
    public void InclusionProbabilities_SumToTopKAndAreAtMostOne(int experts, int topK, double zipf)
    {
        var router = Router(3, experts, topK, zipf);
        for (var layer = 0; layer < 3; layer++)
        {
            var pi = router.InclusionProbabilities(layer).ToArray();
            Assert.That(pi, Has.Length.EqualTo(experts));
            Assert.That(pi.Sum(), Is.EqualTo(topK).Within(1e-12));
            Assert.That(pi, Has.All.InRange(0.0, 1.0));
            Assert.That(pi, Has.All.GreaterThan(0.0));
        }
    }

    [Test]
    public void InclusionProbabilities_HeavyZipf_CapsHottestAtOne()
    {
        // Zipf 2 over 8 experts: weights 1/(r+1)^2 sum to 1.5274; 2/1.5274 = 1.309 > 1, so capped.
        var pi = Router(1, 8, 2, 2.0).InclusionProbabilities(0).ToArray();
        Assert.That(pi.Max(), Is.EqualTo(1.0));
    }

    [Test]
    public void InclusionProbabilities_WaterFilling_HandExample()
    {
        // Weights 1, 1/2, 1/4, 1/8 with k = 2: 2·1/1.875 = 1.067 >= 1, so expert 0 gets π = 1 and
        // the remaining k = 1 is spread over 1/2, 1/4, 1/8 (sum 7/8): 4/7, 2/7, 1/7.
        var pi = SyntheticRouter.InclusionProbabilities(new[] { 1.0, 0.5, 0.25, 0.125 }, 2);
        Assert.That(pi[0], Is.EqualTo(1.0));
        Assert.That(pi[1], Is.EqualTo(4.0 / 7).Within(1e-12));
        Assert.That(pi[2], Is.EqualTo(2.0 / 7).Within(1e-12));
        Assert.That(pi[3], Is.EqualTo(1.0 / 7).Within(1e-12));
    }

    [Test]
    public void InclusionProbabilities_WaterFilling_CascadingCaps()
    {
        // Weights 10, 5, 1, 1, 1 with k = 3: 3·10/18 = 1.67 caps expert 0; then k = 2 over 5,1,1,1
        // (sum 8): 2·5/8 = 1.25 caps expert 1; then k = 1 over 1,1,1: 1/3 each.
        var pi = SyntheticRouter.InclusionProbabilities(new[] { 10.0, 5, 1, 1, 1 }, 3);
        Assert.That(pi, Is.EqualTo(new[] { 1.0, 1.0, 1.0 / 3, 1.0 / 3, 1.0 / 3 }).Within(1e-12));
    }

    [TestCase(8, 2)]
    [TestCase(64, 6)]
    [TestCase(5, 5)]
    public void Uniform_GivesKOverNEach(int experts, int topK)
    {
        var router = Router(2, experts, topK, 0.0);
        for (var layer = 0; layer < 2; layer++)
            Assert.That(router.InclusionProbabilities(layer).ToArray(), Has.All.EqualTo((double)topK / experts).Within(1e-12));
    }

    // The binary search RouteToken used before its bucket table: the reference for Pick.
    private static void PickByBinarySearch(double[] cum, int[] order, double u, int[] experts)
    {
        var position = 0;
        for (var j = 0; j < experts.Length; j++)
        {
            var target = u + j;
            int lo = Math.Min(position, order.Length - 1), hi = order.Length - 1;
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (cum[mid + 1] <= target) lo = mid + 1; else hi = mid;
            }
            experts[j] = order[lo];
            position = lo + 1;
        }
    }

    [TestCase(256, 8, 0.0)]
    [TestCase(256, 8, 1.0)]
    [TestCase(128, 8, 0.6)]
    [TestCase(64, 6, 1.2)]
    [TestCase(8, 2, 3.0)]
    [TestCase(8, 8, 1.0)]
    [TestCase(160, 6, 4.0)]
    public void Pick_MakesTheSamePicksAsABinarySearch(int experts, int topK, double zipf)
    {
        var rng = new SeededRandom(99);
        var weights = Enumerable.Range(0, experts).Select(r => 1.0 / Math.Pow(r + 1, zipf)).ToArray();
        var pi = SyntheticRouter.InclusionProbabilities(weights, topK);
        // Half the layers in the router's order; half with zero-width intervals and a sum a hair under k.
        foreach (var squeeze in new[] { false, true })
        {
            var order = Enumerable.Range(0, experts).ToArray();
            rng.Shuffle(order);
            var cum = new double[experts + 1];
            for (var i = 0; i < experts; i++) cum[i + 1] = cum[i] + (squeeze && i % 5 == 0 ? 0 : pi[order[i]]) * (squeeze ? 0.999999 : 1);
            foreach (var buckets in new[] { 1.0, 4.0 * experts / topK, 1000.0 })
            {
                var firstAbove = SyntheticRouter.FirstAbove(cum, topK, buckets);
                var expected = new int[topK];
                var actual = new int[topK];
                for (var t = 0; t < 20_000; t++)
                {
                    // Random draws, plus the edges: 0, just under 1, and exactly on interval ends.
                    var u = t switch { 0 => 0.0, 1 => Math.BitDecrement(1.0), _ when t % 7 == 0 => cum[t % experts] % 1.0, _ => rng.NextDouble() };
                    PickByBinarySearch(cum, order, u, expected);
                    SyntheticRouter.Pick(cum, order, firstAbove, buckets, u, actual);
                    Assert.That(actual, Is.EqualTo(expected), $"u = {u:R}, {buckets} buckets per unit, squeezed {squeeze}");
                }
            }
        }
    }

    [TestCase(8, 2, 0.0)]
    [TestCase(8, 2, 1.0)]
    [TestCase(16, 4, 1.5)]
    [TestCase(8, 2, 3.0)]
    public void RouteToken_PicksKDistinctExperts_WithFrequenciesMatchingPi(int experts, int topK, double zipf)
    {
        const int tokens = 100_000;
        var router = Router(2, experts, topK, zipf, seed: 17);
        var chosen = new int[topK];
        for (var layer = 0; layer < 2; layer++)
        {
            var hits = new int[experts];
            for (var t = 0; t < tokens; t++)
            {
                router.RouteToken(layer, chosen);
                Assert.That(chosen.Distinct().Count(), Is.EqualTo(topK), "a token must use k distinct experts");
                foreach (var e in chosen)
                {
                    Assert.That(e, Is.InRange(0, experts - 1));
                    hits[e]++;
                }
            }
            var pi = router.InclusionProbabilities(layer);
            for (var e = 0; e < experts; e++)
            {
                // Binomial frequency: SE sqrt(π(1-π)/tokens) <= 1.6e-3; allow 5σ (plus a floor for π = 1).
                var tolerance = 5 * Math.Sqrt(pi[e] * (1 - pi[e]) / tokens) + 1e-9;
                Assert.That((double)hits[e] / tokens, Is.EqualTo(pi[e]).Within(tolerance), $"layer {layer} expert {e}");
            }
        }
    }

    // Expected distinct experts: Σ_e 1 - (1-π_e)^T. Uniform n = 8, k = 2 (π = 1/4):
    //   T = 1:  8·(1 - 0.75)        = 2 (exactly: one token uses k experts)
    //   T = 4:  8·(1 - 0.75^4)      = 8·0.68359375 = 5.46875
    //   T = 10: 8·(1 - 0.75^10)     = 8·0.94368649 = 7.54949
    [TestCase(1, 2.0)]
    [TestCase(4, 5.46875)]
    [TestCase(10, 7.549492)]
    public void Route_Uniform_DistinctMeanMatchesClosedForm(int tokens, double expectedDistinct)
    {
        const int iterations = 4000;
        var router = Router(2, 8, 2, 0.0, seed: 23);
        var counts = new int[2 * 8];
        var distinct = new int[2];
        var batch = Batch(tokens);
        double sum = 0;
        for (var i = 0; i < iterations; i++)
        {
            router.Route(batch, counts, distinct);
            for (var layer = 0; layer < 2; layer++)
            {
                Assert.That(distinct[layer], Is.EqualTo(counts.Skip(layer * 8).Take(8).Count(c => c > 0)));
                sum += distinct[layer];
            }
        }
        // Distinct counts have SD below 1.2 here, so SE over 8000 samples is below 0.014; allow 0.07.
        Assert.That(sum / (2.0 * iterations), Is.EqualTo(expectedDistinct).Within(0.07));
    }

    [TestCase(0.0)]
    [TestCase(1.0)]
    [TestCase(2.5)]
    public void Route_SingleToken_UsesExactlyTopKExperts(double zipf)
    {
        // One token (batch-1 decode) is routed to exactly k distinct experts in every layer, so a
        // decode pass reads exactly k experts' weights per MoE layer.
        var router = Router(4, 8, 2, zipf, seed: 5);
        var counts = new int[4 * 8];
        var distinct = new int[4];
        var batch = new RoutingBatch();
        batch.Add(new SequenceSlice(0, 100, 1, IsPrefill: false));
        for (var i = 0; i < 1000; i++)
        {
            router.Route(batch, counts, distinct);
            Assert.That(distinct, Has.All.EqualTo(2), $"iteration {i}");
            for (var layer = 0; layer < 4; layer++)
                Assert.That(counts.Skip(layer * 8).Take(8).Sum(), Is.EqualTo(2));
            Assert.That(counts, Has.All.InRange(0, 1));
        }
    }

    [TestCase(3, 1.0)]     // 3 tokens x top-2 = 6 pairs <= 8 experts: per-token path
    [TestCase(50, 1.0)]    // binomial path
    [TestCase(200, 2.0)]
    public void Route_PerExpertCountMeansAreTokensTimesPi_AndDistinctMatchesClosedForm(int tokens, double zipf)
    {
        const int iterations = 4000;
        const int experts = 8;
        var router = Router(1, experts, 2, zipf, seed: 31);
        var pi = router.InclusionProbabilities(0).ToArray();
        var counts = new int[experts];
        var distinct = new int[1];
        var batch = Batch(tokens);
        var sums = new double[experts];
        double distinctSum = 0;
        for (var i = 0; i < iterations; i++)
        {
            router.Route(batch, counts, distinct);
            for (var e = 0; e < experts; e++) sums[e] += counts[e];
            distinctSum += distinct[0];
        }
        for (var e = 0; e < experts; e++)
        {
            // Count of expert e is Binomial(T, π_e): SE of its mean sqrt(T·π(1-π)/iterations); 5σ.
            var expected = tokens * pi[e];
            var tolerance = 5 * Math.Sqrt(tokens * pi[e] * (1 - pi[e]) / iterations) + 1e-9;
            Assert.That(sums[e] / iterations, Is.EqualTo(expected).Within(tolerance), $"expert {e}");
        }
        var expectedDistinct = pi.Sum(p => 1 - Math.Pow(1 - p, tokens));
        // Distinct is a sum of 8 indicators (SD <= sqrt(8)/2 = 1.41), SE <= 0.022; allow 0.11.
        Assert.That(distinctSum / iterations, Is.EqualTo(expectedDistinct).Within(0.11));
    }

    [TestCase(0.0)]
    [TestCase(1e-300)]
    [TestCase(0.25)]
    [TestCase(0.7390851332151607)]
    [TestCase(0.9999999999999999)]
    [TestCase(1.0)]
    public void ActiveThreshold_IsTheExactIntegerFormOfTheDoubleComparison(double idle)
    {
        // A 53-bit draw k is the double k·2⁻⁵³; active means that double ≥ idle.
        static bool Active(ulong k, double idle) => k * (1.0 / (1UL << 53)) >= idle;
        var t = SyntheticRouter.ActiveThreshold(idle);
        if (t > 0) Assert.That(Active(t - 1, idle), Is.False, "one below the threshold is idle");
        if (t < 1UL << 53) Assert.That(Active(t, idle), Is.True, "the threshold is active");
        if (t < (1UL << 53) - 1) Assert.That(Active(t + 1, idle), Is.True);
        if (idle == 1.0) Assert.That(t, Is.EqualTo(1UL << 53), "idle with certainty: no 53-bit draw reaches it");
    }

    [Test]
    public void ActiveThreshold_MatchesTheDoubleComparison_OnRandomValues()
    {
        var random = new SeededRandom(11);
        for (var i = 0; i < 100_000; i++)
        {
            var idle = random.NextDouble();
            var k = random.NextUInt64() >> 11;
            var t = SyntheticRouter.ActiveThreshold(idle);
            Assert.That(k >= t, Is.EqualTo(k * (1.0 / (1UL << 53)) >= idle), $"idle {idle:R}, k {k}");
            if (t > 0) Assert.That((t - 1) * (1.0 / (1UL << 53)) >= idle, Is.False, "just below the threshold");
        }
    }

    [TestCase(128, 8, 1.0, 20)]  // Qwen3 width, Zipf-skewed
    [TestCase(256, 8, 0.0, 5)]   // DeepSeek-V3 width, uniform
    public void RouteDistinct_MeanMatchesClosedForm(int experts, int topK, double zipf, int tokens)
    {
        // E[distinct] = Σ_e 1 − (1 − π_e)^tokens, the same π at every layer (permuted).
        var router = new SyntheticRouter(new SyntheticRouterConfig { NumMoeLayers = 4, NumExperts = experts, TopK = topK, ZipfExponent = zipf, Seed = 5 });
        var expected = 0.0;
        foreach (var pi in router.InclusionProbabilities(0)) expected += 1 - Math.Pow(1 - pi, tokens);
        var batch = new RoutingBatch();
        batch.Add(new SequenceSlice(0, 0, tokens, false));
        var distinct = new int[4];
        var sum = 0.0;
        const int passes = 5_000;
        for (var p = 0; p < passes; p++)
        {
            router.RouteDistinct(batch, distinct);
            foreach (var d in distinct) sum += d;
        }
        // Per-layer variance ≤ Σ π(1 − π) < 32, so the mean of 20,000 layer draws has sd < 0.04: 0.2 is 5 sd.
        Assert.That(sum / (passes * 4), Is.EqualTo(expected).Within(0.2));
    }

    [Test]
    public void SameSeed_GivesSameRouting_DifferentSeedDiffers()
    {
        int[] Run(ulong seed)
        {
            var router = Router(4, 16, 4, 1.0, seed);
            var counts = new int[4 * 16];
            var distinct = new int[4];
            var all = new List<int>();
            var tokenExperts = new int[4];
            foreach (var tokens in new[] { 1, 3, 40, 500 })
            {
                router.Route(Batch(tokens), counts, distinct);
                all.AddRange(counts);
                all.AddRange(distinct);
                router.RouteToken(2, tokenExperts);
                all.AddRange(tokenExperts);
            }
            return all.ToArray();
        }
        Assert.That(Run(77), Is.EqualTo(Run(77)));
        Assert.That(Run(78), Is.Not.EqualTo(Run(77)));
    }

    [Test]
    public void Zipf_HotExpertDiffersBetweenLayers()
    {
        // Each layer ranks experts by its own seeded permutation. With 16 experts and 8 layers the
        // chance that all share one hottest expert is 16^-7 if permutations are independent.
        var router = Router(8, 16, 2, 1.2, seed: 3);
        var hottest = Enumerable.Range(0, 8).Select(l =>
        {
            var pi = router.InclusionProbabilities(l).ToArray();
            return Array.IndexOf(pi, pi.Max());
        }).ToArray();
        Assert.That(hottest.Distinct().Count(), Is.GreaterThan(1));
        // The popularity profile itself is the same sorted Zipf curve in every layer.
        var sorted0 = router.InclusionProbabilities(0).ToArray().OrderDescending().ToArray();
        for (var l = 1; l < 8; l++)
            Assert.That(router.InclusionProbabilities(l).ToArray().OrderDescending(), Is.EqualTo(sorted0).Within(1e-12));
    }

    [Test]
    public void Constructor_RejectsBadShapes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Router(1, 0, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Router(1, 8, 9, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Router(1, 8, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Router(1, 8, 2, -0.5));
    }
}
