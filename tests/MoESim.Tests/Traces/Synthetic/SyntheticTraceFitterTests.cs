using MoESim.Traces.Statistics;
using MoESim.Traces.Synthetic;
using static MoESim.Tests.Traces.Synthetic.GeneratorTestSupport;

namespace MoESim.Tests.Traces.Synthetic;

/// <summary>
/// Generate with known parameters, fit, regenerate with another seed: the regenerated trace's
/// statistics land within stated tolerances of the original's, and the fitted λ and α are near
/// the true ones.
/// </summary>
[TestFixture]
public class SyntheticTraceFitterTests
{
    private static readonly IReadOnlyList<MoESim.Traces.Request> Workload = Requests(150, 48, 97);

    // Imbalance tolerance: 6% (max/mean) and ±0.03 (Gini); 10% and ±0.05 for the heavy case
    // (top-4 of 16 with strong skew, locality and affinity: the hottest experts sit at the
    // inclusion cap of 1, so the histogram correction has little room).
    // In the heavy case α is weakly identifiable (excess coverage hardly moves with α there, see
    // GeneratorParameterRecoveryTests), so only the statistics, not α itself, are compared.
    [TestCase(1.0, 0.4, 0.6, 0.5, 0.2, 0.3, 2, 6, 0.03, true)]
    [TestCase(0.3, 0.0, 0.0, 0.3, 0.0, 0.0, 2, 6, 0.03, true)]
    [TestCase(1.4, 0.6, 0.8, 1.4, 0.6, 0.8, 4, 10, 0.05, false)]
    public void RefitTraceMatchesTheOriginalsStatistics(double dz, double dl, double da, double pz, double pl, double pa, int topK, double imbalancePercent, double gini, bool affinityIdentifiable)
    {
        var truth = GenConfig(4, 16, topK,
            decode: new RoutingPhaseParameters { ZipfExponent = dz, Locality = dl, Affinity = da },
            prefill: new RoutingPhaseParameters { ZipfExponent = pz, Locality = pl, Affinity = pa }, seed: 3);
        var original = Measure(truth, Workload);
        var fitted = SyntheticTraceFitter.Fit(original, Workload, seed: 99, chunkTokens: 64, successorSetSize: 2);
        var refit = Measure(fitted, Workload);

        for (var p = 0; p < 2; p++)
        {
            var o = original.Phases[p];
            var r = refit.Phases[p];
            var name = o.Phase;
            // Load imbalance, mean over layers.
            Assert.That(Mean(r.Layers.Select(l => l.MaxOverMean)), Is.EqualTo(Mean(o.Layers.Select(l => l.MaxOverMean))).Within(imbalancePercent).Percent, name);
            Assert.That(Mean(r.Layers.Select(l => l.Gini)), Is.EqualTo(Mean(o.Layers.Select(l => l.Gini))).Within(gini), name);
            // Locality above chance and the LRU hit rate at a quarter of the experts within ±0.03.
            Assert.That(Mean(r.Layers.Select(l => l.LocalityExcess)), Is.EqualTo(Mean(o.Layers.Select(l => l.LocalityExcess))).Within(0.03), name);
            Assert.That(r.LruHitRate[3], Is.EqualTo(o.LruHitRate[3]).Within(0.03), name);
            // Affinity: excess top-2 coverage within ±0.03.
            Assert.That(Mean(r.Affinity.Select(a => a.ExcessCoverage)), Is.EqualTo(Mean(o.Affinity.Select(a => a.ExcessCoverage))).Within(0.03), name);
            // Distinct experts per batch within 5% at every batch size.
            for (var i = 0; i < o.BatchSizes.Length; i++)
                Assert.That(r.DistinctExpertsMeasured[i], Is.EqualTo(o.DistinctExpertsMeasured[i]).Within(5).Percent, $"{name} batch {o.BatchSizes[i]}");
        }
        // Fitted parameters near the true ones (α within ±0.12: k > 1 makes coverage a weak, k-diluted signal).
        Assert.That(fitted.Decode.Locality, Is.EqualTo(dl).Within(0.05));
        Assert.That(fitted.Prefill.Locality, Is.EqualTo(pl).Within(0.05));
        if (!affinityIdentifiable) return;
        Assert.That(fitted.Decode.Affinity, Is.EqualTo(da).Within(0.12));
        Assert.That(fitted.Prefill.Affinity, Is.EqualTo(pa).Within(0.12));
    }

    [Test]
    public void FittedParametersSurviveTheParametersFile()
    {
        var truth = GenConfig(3, 8, 2, new RoutingPhaseParameters { ZipfExponent = 1, Locality = 0.3, Affinity = 0.4 });
        var fitted = SyntheticTraceFitter.Fit(Measure(truth, Requests(40, 32, 33)), Requests(20, 32, 33), 5, 64, 2);
        var path = Path.Combine(Path.GetTempPath(), $"moesim-fit-{Guid.NewGuid():N}.json");
        try
        {
            GeneratorParametersFile.Write(path, fitted);
            var back = GeneratorParametersFile.Read(path);
            Assert.That(back.Decode.Locality, Is.EqualTo(fitted.Decode.Locality).Within(1e-6));
            Assert.That(back.Decode.Affinity, Is.EqualTo(fitted.Decode.Affinity).Within(1e-6));
            Assert.That(back.Decode.Histogram![1], Is.EqualTo(fitted.Decode.Histogram![1]).Within(1e-3));
            Assert.That(back with { Prefill = fitted.Prefill, Decode = fitted.Decode }, Is.EqualTo(fitted));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
