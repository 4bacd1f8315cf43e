using MoESim.Randomness;
using MoESim.Tests.Config;
using MoESim.Traces;
using MoESim.Traces.Formats;
using MoESim.Traces.Statistics;

namespace MoESim.Tests.Traces.Statistics;

/// <summary>
/// The collector (buffered, layer-major, packed-byte fast path) against
/// <see cref="StatisticsReference"/> (token by token from the definitions) on random skewed
/// traces whose requests interleave: every count and curve must be exactly equal, through both
/// the int path (<see cref="RoutingStep"/>) and the binary packed path, whatever the buffer size.
/// </summary>
[TestFixture]
public class TraceStatisticsReferenceTests
{
    private TempFolder _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempFolder();

    [TearDown]
    public void TearDown() => _dir.Delete();

    [TestCase(3, 12, 3, 1.0, 1 << 21, 30)]
    [TestCase(3, 12, 3, 0.5, 40, 30)]      // a tiny buffer: processed every few steps, large steps grow it
    [TestCase(4, 256, 8, 1.0, 500, 8)]     // uint8 ids, top-8: the byte fast paths
    [TestCase(2, 300, 4, 1.0, 64, 8)]      // uint16 ids
    [TestCase(1, 16, 2, 1.0, 30, 20)]      // one layer: no layer pairs
    public void CollectorEqualsTheReferenceDefinition(int layers, int experts, int k, double fraction, int bufferIds, int requests)
    {
        var shape = new TraceShape { NumMoeLayers = layers, NumExperts = experts, TopK = k };
        var options = new TraceStatisticsOptions { SampleFraction = fraction, BatchReservoirTokens = 64, MatrixLayer = Math.Max(0, layers - 2) };
        var steps = RandomTrace(shape, requests, (ulong)(layers * 1000 + experts));
        var reference = new StatisticsReference(shape, options);
        var collector = new TraceStatisticsCollector(shape, options, bufferIds);
        foreach (var s in steps)
        {
            reference.Add(s);
            collector.Add(s);
        }
        var path = Path.Combine(_dir.Path, "t.moetrace");
        using (var writer = RoutingTraceFiles.CreateWriter(path, shape))
        {
            foreach (var s in steps) writer.Write(s);
            writer.Complete();
        }
        var packed = new TraceStatisticsCollector(shape, options, bufferIds);
        using (var reader = new MoeTraceReader(path))
            while (reader.TryReadPacked(out var p)) packed.Add(p);

        AssertMatches(reference, collector.Finish(), options);
        AssertMatches(reference, packed.Finish(), options);
    }

    [Test]
    public void NoSampledRequestLeavesTheSampledStatisticsEmpty()
    {
        var shape = new TraceShape { NumMoeLayers = 2, NumExperts = 8, TopK = 2 };
        var collector = new TraceStatisticsCollector(shape, new TraceStatisticsOptions { SampleFraction = 1e-12 });
        foreach (var s in RandomTrace(shape, 5, 3)) collector.Add(s);
        var stats = collector.Finish();
        Assert.That(stats.SampledRequests, Is.Zero);
        Assert.That(stats.Phases[0].Tokens, Is.GreaterThan(0));
        Assert.That(stats.Phases[0].LruHitRate, Has.All.NaN);
        Assert.That(stats.Phases[0].Affinity[0].TopMCoverage, Is.NaN);
    }

    private static void AssertMatches(StatisticsReference r, TraceStatistics stats, TraceStatisticsOptions options)
    {
        Assert.That(stats.SampledRequests, Is.EqualTo(r.SampledRequests));
        var shape = stats.Shape;
        foreach (var (p, rp) in new[] { (stats.Phases[0], r.Prefill), (stats.Phases[1], r.Decode) })
        {
            var name = p.Phase;
            Assert.That((p.Tokens, p.SampledTokens), Is.EqualTo((rp.Tokens, rp.SampledTokens)), name);
            Assert.That(p.ExpertSelections, Is.EqualTo(rp.Counts), name);
            for (var l = 0; l < shape.NumMoeLayers; l++)
            {
                Assert.That(p.Layers[l].LocalityPairs, Is.EqualTo(rp.LocalityPairs[l]), $"{name} layer {l}");
                var reuse = rp.LocalityPairs[l] == 0 ? double.NaN : rp.LocalityOverlap[l] / ((double)rp.LocalityPairs[l] * shape.TopK);
                Assert.That(p.Layers[l].ReuseRate, Is.EqualTo(reuse), $"{name} layer {l}");
            }
            Assert.That(p.ReuseDistance, Is.EqualTo(rp.ReuseDistance), name);
            var lru = new double[shape.NumExperts];
            long below = 0;
            for (var c = 0; c < lru.Length; c++) lru[c] = (below += rp.ReuseDistance[c]) / (double)rp.Accesses;
            Assert.That(p.LruHitRate, Is.EqualTo(lru), name);
            Assert.That(p.LfuHitRate, Is.EqualTo(rp.LfuHits.Select(h => h / (double)rp.Accesses).ToArray()), name);
            Assert.That(rp.LfuHits.Max(), Is.GreaterThan(0), "the trace exercises the caches");
            for (var l = 0; l + 1 < shape.NumMoeLayers; l++)
            {
                var expected = rp.Coactivation[l].Any(c => c > 0) ? rp.Coactivation[l] : null;
                Assert.That(p.Affinity[l], Is.EqualTo(AffinityMeasures.Measure(l, expected, shape.NumExperts, options.AffinityTopM)), $"{name} pair {l}");
            }
            if (shape.NumMoeLayers > 1)
                Assert.That(p.AffinityMatrix, Is.EqualTo(AffinityMeasures.Conditional(rp.Coactivation[options.MatrixLayer], shape.NumExperts)), name);
            Assert.That(p.BatchSizes, Is.EqualTo(Enumerable.Range(0, 31).Select(i => 1 << i).TakeWhile(b => b <= rp.Reservoir.Count).ToArray()), name);
            Assert.That(p.DistinctExpertsMeasured, Is.EqualTo(p.BatchSizes.Select(rp.DistinctExperts).ToArray()), name);
        }
    }

    /// <summary>
    /// Requests (prompt in chunks, then decode steps) interleaved at random; per token and layer
    /// k distinct experts, each slot keeping the previous token's expert with probability 0.3,
    /// else drawn with Zipf(1) skew over a shuffled ranking.
    /// </summary>
    internal static List<RoutingStep> RandomTrace(TraceShape shape, int requests, ulong seed)
    {
        var random = new SeededRandom(seed);
        var (layers, experts, k) = (shape.NumMoeLayers, shape.NumExperts, shape.TopK);
        var rank = Enumerable.Range(0, experts).ToArray();
        random.Shuffle(rank);
        var cumulative = new double[experts];
        double total = 0;
        for (var i = 0; i < experts; i++) cumulative[i] = total += 1.0 / (i + 1);
        int Draw()
        {
            var i = Array.BinarySearch(cumulative, random.NextDouble() * total);
            return rank[Math.Min(experts - 1, i < 0 ? ~i : i)];
        }
        var state = Enumerable.Range(0, requests).Select(r => (Prompt: 5 + random.NextInt(40), Output: 2 + random.NextInt(15), Next: 0, Iteration: 0, Last: new int[layers * k])).ToArray();
        var active = Enumerable.Range(0, requests).ToList();
        var steps = new List<RoutingStep>();
        var chosen = new HashSet<int>();
        while (active.Count > 0)
        {
            var pick = random.NextInt(active.Count);
            var r = active[pick];
            ref var s = ref state[r];
            var prefill = s.Next < s.Prompt;
            var tokens = prefill ? Math.Min(s.Prompt - s.Next, 4 + random.NextInt(16)) : 1;
            var step = new RoutingStep();
            step.Reset(r, s.Iteration, s.Next, tokens, prefill, layers, k, false);
            for (var t = 0; t < tokens; t++)
                for (var l = 0; l < layers; l++)
                {
                    chosen.Clear();
                    var ids = step.Experts(l, t);
                    for (var j = 0; j < k; j++)
                    {
                        var keep = s.Iteration + t > 0 && random.NextDouble() < 0.3 ? s.Last[l * k + j] : -1;
                        var e = keep >= 0 && !chosen.Contains(keep) ? keep : Draw();
                        while (!chosen.Add(e)) e = Draw();
                        ids[j] = e;
                    }
                    ids.CopyTo(s.Last.AsSpan(l * k, k));
                }
            steps.Add(step);
            s.Next += tokens;
            s.Iteration++;
            if (s.Next >= s.Prompt + s.Output - 1) active.RemoveAt(pick);
        }
        return steps;
    }
}
