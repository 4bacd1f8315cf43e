using MoESim.Traces.Synthetic;
using static MoESim.Tests.Traces.Synthetic.GeneratorTestSupport;

namespace MoESim.Tests.Traces.Synthetic;

/// <summary>
/// The generator's parameters mean what they say: a large trace measured by the statistics code
/// gives back the configured Zipf exponent, locality and affinity within stated tolerances.
/// </summary>
[TestFixture]
public class GeneratorParameterRecoveryTests
{
    // 300 requests x 80 decode tokens x 4 layers: ~24,000 decode tokens per layer.
    private static readonly IReadOnlyList<MoESim.Traces.Request> Workload = Requests(300, 16, 81);

    // E = 64, k = 2: no inclusion probability reaches 1 for s ≤ 1.2, so selection shares are
    // exactly ∝ 1/rank^s and the log-log slope recovers s. Tolerance ±0.06 (sampling noise of the tail).
    [TestCase(0.0)]
    [TestCase(0.6)]
    [TestCase(1.2)]
    public void ZipfExponentIsRecovered(double zipf)
    {
        var stats = Measure(GenConfig(4, 64, 2, new RoutingPhaseParameters { ZipfExponent = zipf }), Workload);
        var decode = stats.Phases[1];
        Assert.That(Mean(decode.Layers.Select(l => l.ZipfExponentEstimate)), Is.EqualTo(zipf).Within(0.06));
    }

    // Locality above chance recovers λ within ±0.03 (absolute), with and without skew; ±0.05 for
    // large k with skew, where fresh picks cannot repeat a kept expert and so hit the previous
    // token's set a little less often than chance.
    [TestCase(0.0, 0.0, 16, 2, 0.03)]
    [TestCase(0.3, 0.0, 16, 2, 0.03)]
    [TestCase(0.7, 1.0, 16, 2, 0.03)]
    [TestCase(0.5, 0.8, 64, 6, 0.05)]
    public void LocalityIsRecovered(double locality, double zipf, int experts, int topK, double tolerance)
    {
        var stats = Measure(GenConfig(4, experts, topK, new RoutingPhaseParameters { ZipfExponent = zipf, Locality = locality }), Workload);
        Assert.That(Mean(stats.Phases[1].Layers.Select(l => l.LocalityExcess)), Is.EqualTo(locality).Within(tolerance));
    }

    // Top-1: excess top-m coverage is α itself, within ±0.03 for mild skew. Strong skew reads
    // low (successor draws flatten popularity, which raises the independence baseline): ±0.1.
    [TestCase(0.0, 0.0, 0.03)]
    [TestCase(0.5, 0.0, 0.03)]
    [TestCase(0.9, 0.8, 0.03)]
    [TestCase(0.3, 1.2, 0.1)]
    public void AffinityIsRecoveredForTopOne(double affinity, double zipf, double tolerance)
    {
        var stats = Measure(GenConfig(4, 16, 1, new RoutingPhaseParameters { ZipfExponent = zipf, Affinity = affinity }), Workload);
        Assert.That(Mean(stats.Phases[1].Affinity.Select(a => a.ExcessCoverage)), Is.EqualTo(affinity).Within(tolerance));
    }

    // Top-k: only k of k² pairs carry the link, so with uniform popularity excess coverage is
    // about α/k (within ±0.35·α/k + 0.02: pairs across slots land in other experts' successor
    // sets, a little below chance). With skew it is lower still; in every case it rises with α
    // (the fitter inverts it by simulation, see SyntheticTraceFitterTests).
    [TestCase(2, 0.0, true)]
    [TestCase(4, 0.0, true)]
    [TestCase(2, 0.8, false)]
    [TestCase(4, 0.5, false)]
    public void AffinityRaisesExcessCoverageAboutAlphaOverK(int topK, double zipf, bool uniform)
    {
        var previous = double.NegativeInfinity;
        foreach (var affinity in new[] { 0.0, 0.5, 1.0 })
        {
            var stats = Measure(GenConfig(3, 16, topK, new RoutingPhaseParameters { ZipfExponent = zipf, Affinity = affinity }), Workload);
            var excess = Mean(stats.Phases[1].Affinity.Select(a => a.ExcessCoverage));
            if (uniform) Assert.That(excess, Is.EqualTo(affinity / topK).Within(0.35 * affinity / topK + 0.02), $"α = {affinity}");
            Assert.That(excess, Is.GreaterThan(previous + 0.01), $"α = {affinity}");
            previous = excess;
        }
    }

    [Test]
    public void AffinityRaisesMutualInformationAboveTheIndependenceBaseline()
    {
        var none = Measure(GenConfig(4, 16, 2, new RoutingPhaseParameters()), Workload).Phases[1].Affinity[0];
        var strong = Measure(GenConfig(4, 16, 2, new RoutingPhaseParameters { Affinity = 0.9 }), Workload).Phases[1].Affinity[0];
        Assert.That(none.MutualInformationNats, Is.EqualTo(none.IndependentMutualInformationNats).Within(0.01));
        Assert.That(strong.MutualInformationNats - strong.IndependentMutualInformationNats, Is.GreaterThan(0.2));
    }

    [Test]
    public void PrefillAndDecodeKeepTheirOwnParameters()
    {
        var config = GenConfig(4, 64, 2,
            decode: new RoutingPhaseParameters { ZipfExponent = 1.2, Locality = 0.5 },
            prefill: new RoutingPhaseParameters { ZipfExponent = 0.3, Locality = 0.1 });
        var stats = Measure(config, Requests(200, 120, 121));
        var prefill = stats.Phases[0];
        var decode = stats.Phases[1];
        Assert.That(Mean(prefill.Layers.Select(l => l.ZipfExponentEstimate)), Is.EqualTo(0.3).Within(0.06));
        Assert.That(Mean(decode.Layers.Select(l => l.ZipfExponentEstimate)), Is.EqualTo(1.2).Within(0.06));
        Assert.That(Mean(prefill.Layers.Select(l => l.LocalityExcess)), Is.EqualTo(0.1).Within(0.03));
        Assert.That(Mean(decode.Layers.Select(l => l.LocalityExcess)), Is.EqualTo(0.5).Within(0.03));
    }

    [Test]
    public void HistogramSetsSelectionSharesExactly()
    {
        double[] weights = [8, 4, 2, 1, 1, 1, 1, 0];
        var p = new RoutingPhaseParameters { Histogram = [weights, weights, weights] };
        var stats = Measure(GenConfig(3, 8, 1, p), Workload);
        var loads = stats.Phases[1].ExpertSelections[1];
        var total = (double)loads.Sum();
        for (var e = 0; e < 8; e++)
            Assert.That(loads[e] / total, Is.EqualTo(weights[e] / 18).Within(0.01), $"expert {e}");
    }
}
