using MoESim.Traces.Statistics;

namespace MoESim.Tests.Traces.Statistics;

[TestFixture]
public class AffinityMeasuresTests
{
    [Test]
    public void PerfectMappingHasFullCoverageAndLogEMutualInformation()
    {
        // 4 experts, each always followed by (e + 1) mod 4, 100 times: coverage 1, independent
        // coverage 1/4, excess 1, MI = ln 4.
        var c = new int[16];
        for (var e = 0; e < 4; e++) c[e * 4 + (e + 1) % 4] = 100;
        var a = AffinityMeasures.Measure(0, c, 4, topM: 1);
        Assert.That(a.TopMCoverage, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(a.IndependentCoverage, Is.EqualTo(0.25).Within(1e-12));
        Assert.That(a.ExcessCoverage, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(a.MutualInformationNats, Is.EqualTo(Math.Log(4)).Within(1e-12));
        Assert.That(a.IndependentMutualInformationNats, Is.EqualTo(9.0 / 800).Within(1e-12));
    }

    [Test]
    public void IndependentLayersHaveNoExcessAndNoInformation()
    {
        // Product of marginals (1,3) x (1,1,2): rows are proportional, so P(e'|e) = P(e').
        int[] c = [10, 10, 20, 30, 30, 60];
        var a = AffinityMeasures.Measure(0, PadTo3x3(c), 3, topM: 1);
        Assert.That(a.ExcessCoverage, Is.EqualTo(0).Within(1e-12));
        Assert.That(a.MutualInformationNats, Is.EqualTo(0).Within(1e-12));
        var p = AffinityMeasures.Conditional(PadTo3x3(c), 3);
        Assert.That(p[1], Is.EqualTo(new[] { 0.25, 0.25, 0.5 }).Within(1e-12));
        Assert.That(p[2], Is.EqualTo(new[] { 0.0, 0.0, 0.0 }));
    }

    private static int[] PadTo3x3(int[] twoRows) => [.. twoRows, 0, 0, 0];
}
