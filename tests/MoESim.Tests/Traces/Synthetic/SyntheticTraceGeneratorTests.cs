using MoESim.Traces;
using MoESim.Traces.Synthetic;
using static MoESim.Tests.Traces.Synthetic.GeneratorTestSupport;

namespace MoESim.Tests.Traces.Synthetic;

[TestFixture]
public class SyntheticTraceGeneratorTests
{
    [TestCase(8, 2, 0.0, 0.0, 0.0)]
    [TestCase(8, 2, 3.0, 0.9, 1.0)]   // heavy skew, locality and affinity: many repeats to reject
    [TestCase(16, 8, 2.0, 0.5, 0.8)]  // k = half the experts
    [TestCase(4, 4, 1.0, 0.5, 0.5)]   // k = n: every token uses all experts
    [TestCase(256, 8, 1.2, 0.3, 0.6)] // DeepSeek-V3 shape
    public void EveryTokensTopKIsDistinctAndInRange(int experts, int topK, double zipf, double locality, double affinity)
    {
        var p = new RoutingPhaseParameters { ZipfExponent = zipf, Locality = locality, Affinity = affinity };
        var writer = new RecordingTraceWriter();
        SyntheticTraceGenerator.Generate(GenConfig(3, experts, topK, p), Requests(5, 70, 20), writer);
        Assert.That(writer.Steps, Is.Not.Empty);
        foreach (var step in writer.Steps)
            for (var l = 0; l < step.NumMoeLayers; l++)
                for (var t = 0; t < step.TokenCount; t++)
                {
                    var set = step.Experts(l, t).ToArray();
                    Assert.That(set, Is.Unique, $"request {step.RequestId} iteration {step.Iteration} layer {l} token {t}");
                    Assert.That(set, Has.All.InRange(0, experts - 1));
                }
    }

    [Test]
    public void StepsFollowChunkedPrefillThenOneDecodePerGeneratedToken()
    {
        var writer = new RecordingTraceWriter();
        // Chunk 64: prompt 150 -> chunks of 64, 64, 22; output 4 -> 3 decode steps at 150, 151, 152.
        SyntheticTraceGenerator.Generate(GenConfig(2, 8, 2, new RoutingPhaseParameters()), [new Request(3, 0, 150, 4)], writer);
        var shape = writer.Steps.Select(s => (s.RequestId, s.Iteration, s.FirstTokenIndex, s.TokenCount, s.IsPrefill)).ToArray();
        Assert.That(shape, Is.EqualTo(new[]
        {
            (3, 0, 0, 64, true), (3, 1, 64, 64, true), (3, 2, 128, 22, true),
            (3, 3, 150, 1, false), (3, 4, 151, 1, false), (3, 5, 152, 1, false),
        }));
    }

    [Test]
    public void SameSeedGivesIdenticalTraceAndAnotherSeedDoesNot()
    {
        static long[] Run(ulong seed)
        {
            var writer = new RecordingTraceWriter();
            var p = new RoutingPhaseParameters { ZipfExponent = 1, Locality = 0.3, Affinity = 0.5 };
            SyntheticTraceGenerator.Generate(GenConfig(4, 16, 2, p, seed: seed), Requests(3, 40, 10), writer);
            return writer.Steps.SelectMany(s => s.ExpertIds.ToArray()).Select(x => (long)x).ToArray();
        }
        Assert.That(Run(11), Is.EqualTo(Run(11)));
        Assert.That(Run(11), Is.Not.EqualTo(Run(12)));
    }

    [Test]
    public void SameSeedGivesBitIdenticalMoetraceFiles()
    {
        var p = new RoutingPhaseParameters { ZipfExponent = 1.2, Locality = 0.3, Affinity = 0.6 };
        var config = GenConfig(5, 64, 4, p, seed: 21);
        var paths = new[] { 0, 1 }.Select(_ => Path.Combine(Path.GetTempPath(), $"moesim-det-{Guid.NewGuid():N}.moetrace")).ToArray();
        try
        {
            foreach (var path in paths)
            {
                using var writer = MoESim.Traces.Formats.RoutingTraceFiles.CreateWriter(path, config.Shape);
                SyntheticTraceGenerator.Generate(config, Requests(6, 150, 40), writer);
                writer.Complete();
            }
            Assert.That(File.ReadAllBytes(paths[1]), Is.EqualTo(File.ReadAllBytes(paths[0])));
        }
        finally
        {
            foreach (var path in paths) File.Delete(path);
        }
    }

    // Memoryless generation must give each expert the share π_e / k its inclusion probability
    // promises, layer by layer (π from the router's own table, capped at 1 where skew is strong).
    // Over T = 20,000 tokens a share's standard error is √(π(1 − π)/T)/k: tolerance 5 of them.
    [TestCase(64, 6, 1.5)]
    [TestCase(256, 8, 1.0)]
    [TestCase(16, 2, 0.0)]
    public void MemorylessSelectionSharesMatchInclusionProbabilities(int experts, int topK, double zipf)
    {
        var config = GenConfig(3, experts, topK, new RoutingPhaseParameters { ZipfExponent = zipf });
        var counts = new long[3, experts];
        var writer = new RecordingTraceWriter();
        SyntheticTraceGenerator.Generate(config, Requests(100, 150, 51), writer);
        long tokens = 0;
        foreach (var step in writer.Steps)
        {
            tokens += step.TokenCount;
            for (var l = 0; l < 3; l++)
                foreach (var e in step.Layer(l)) counts[l, e]++;
        }
        var popularity = new SyntheticTokenRouter(config).Popularity(prefill: false);
        for (var l = 0; l < 3; l++)
            for (var e = 0; e < experts; e++)
            {
                var pi = popularity.Inclusion(l)[e];
                var tolerance = 5 * Math.Sqrt(pi * (1 - pi) / tokens) / topK + 1e-6;
                Assert.That(counts[l, e] / (double)(tokens * topK), Is.EqualTo(pi / topK).Within(tolerance), $"layer {l} expert {e}, π = {pi}");
            }
    }

    [Test]
    public void SelectionCountMatchesWhatIsWritten()
    {
        var config = GenConfig(3, 8, 2, new RoutingPhaseParameters());
        var requests = Requests(4, 30, 9);
        var writer = new RecordingTraceWriter();
        var written = SyntheticTraceGenerator.Generate(config, requests, writer);
        Assert.That(written, Is.EqualTo(SyntheticTraceGenerator.CountSelections(config, requests)));
        Assert.That(written, Is.EqualTo(writer.Steps.Sum(s => (long)s.ExpertIds.Length)));
        Assert.That(written, Is.EqualTo(4L * (30 + 8) * 3 * 2));
    }
}
