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

    [Test]
    public void MutualInformationEqualsTheDirectSumOnARandomMatrix()
    {
        // Counts up to 20,000 (beyond the small-integer log table) and some zero rows and cells.
        var random = new MoESim.Randomness.SeededRandom(9);
        const int experts = 11;
        var c = new int[experts * experts];
        for (var i = 0; i < c.Length; i++) c[i] = i / experts == 4 || random.NextDouble() < 0.2 ? 0 : random.NextInt(i % 3 == 0 ? 20_000 : 30);
        double n = c.Sum(x => (double)x);
        var rows = Enumerable.Range(0, experts).Select(a => Enumerable.Range(0, experts).Sum(b => (double)c[a * experts + b])).ToArray();
        var cols = Enumerable.Range(0, experts).Select(b => Enumerable.Range(0, experts).Sum(a => (double)c[a * experts + b])).ToArray();
        double mi = 0;
        for (var a = 0; a < experts; a++)
            for (var b = 0; b < experts; b++)
                if (c[a * experts + b] > 0) mi += c[a * experts + b] / n * Math.Log(c[a * experts + b] * n / (rows[a] * cols[b]));
        Assert.That(AffinityMeasures.Measure(0, c, experts, 2).MutualInformationNats, Is.EqualTo(mi).Within(1e-12 * mi));
    }

    [Test]
    public void TopColumnsBreakTiesToTheLowerIndex()
    {
        // Row 0 = (5, 5, 5, 0): its top-2 are columns 0 and 1 (not 2). Row 1 = (0, 0, 10, 10).
        // Column mass: 5, 5, 15, 10 of N = 35. Coverage = (10 + 20) / 35; independent =
        // 15/35 · (5 + 5)/35 + 20/35 · (15 + 10)/35.
        int[] c = [5, 5, 5, 0, 0, 0, 10, 10, 0, 0, 0, 0, 0, 0, 0, 0];
        var a = AffinityMeasures.Measure(0, c, 4, topM: 2);
        Assert.That(a.TopMCoverage, Is.EqualTo(30.0 / 35).Within(1e-12));
        Assert.That(a.IndependentCoverage, Is.EqualTo(15.0 / 35 * 10 / 35 + 20.0 / 35 * 25 / 35).Within(1e-12));
    }

    private static int[] PadTo3x3(int[] twoRows) => [.. twoRows, 0, 0, 0];
}
