using MoESim.Traces.Statistics;

namespace MoESim.Tests.Traces.Statistics;

[TestFixture]
public class LoadMeasuresTests
{
    // Hand values: [0,0,0,4]: mean 1, max/mean 4, std sqrt(3), Gini = 2·(4·4)/(4·4) − 5/4 = 0.75.
    [TestCase(new long[] { 1, 1, 1, 1 }, 1.0, 0.0, 0.0)]
    [TestCase(new long[] { 0, 0, 0, 4 }, 4.0, 1.7320508075688772, 0.75)]
    [TestCase(new long[] { 1, 2, 3, 4 }, 1.6, 0.4472135954999579, 0.25)]
    public void MatchHandComputedValues(long[] loads, double maxOverMean, double cv, double gini)
    {
        Assert.That(LoadMeasures.MaxOverMean(loads), Is.EqualTo(maxOverMean).Within(1e-12));
        Assert.That(LoadMeasures.CoefficientOfVariation(loads), Is.EqualTo(cv).Within(1e-12));
        Assert.That(LoadMeasures.Gini(loads), Is.EqualTo(gini).Within(1e-12));
    }

    [TestCase(1.0)]
    [TestCase(2.5)]
    public void ZipfExponentOfExactPowerLawIsItsExponent(double s)
    {
        var loads = Enumerable.Range(1, 64).Select(r => (long)Math.Round(1e9 / Math.Pow(r, s))).Reverse().ToArray();
        Assert.That(LoadMeasures.ZipfExponent(loads), Is.EqualTo(s).Within(1e-6));
    }

    [Test]
    public void NoSelectionsGiveNaN()
    {
        Assert.That(LoadMeasures.MaxOverMean(new long[4]), Is.NaN);
        Assert.That(LoadMeasures.Gini(new long[4]), Is.NaN);
        Assert.That(LoadMeasures.ZipfExponent(new long[] { 0, 5, 0 }), Is.NaN);
    }
}
