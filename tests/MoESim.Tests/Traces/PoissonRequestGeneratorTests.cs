using MoESim.Randomness;
using MoESim.Traces;

namespace MoESim.Tests.Traces;

[TestFixture]
public class PoissonRequestGeneratorTests
{
    [Test]
    public void SameSeed_SameRequests_DifferentSeed_Different()
    {
        var a = PoissonRequestGenerator.Generate(500, 3.0, 10, 100, 1, 50, new SeededRandom(9));
        var b = PoissonRequestGenerator.Generate(500, 3.0, 10, 100, 1, 50, new SeededRandom(9));
        var c = PoissonRequestGenerator.Generate(500, 3.0, 10, 100, 1, 50, new SeededRandom(10));
        Assert.That(b, Is.EqualTo(a));
        Assert.That(c, Is.Not.EqualTo(a));
    }

    [TestCase(2.0)]
    [TestCase(50.0)]
    public void InterArrivalTimes_AreExponentialWithMeanOneOverRate(double rate)
    {
        const int count = 20_000;
        var requests = PoissonRequestGenerator.Generate(count, rate, 1, 1, 1, 1, new SeededRandom(4));
        Assert.That(requests[0].ArrivalSeconds, Is.EqualTo(0.0));
        var gaps = new double[count - 1];
        for (var i = 1; i < count; i++)
        {
            gaps[i - 1] = requests[i].ArrivalSeconds - requests[i - 1].ArrivalSeconds;
            Assert.That(gaps[i - 1], Is.GreaterThanOrEqualTo(0));
        }
        var mean = gaps.Average();
        var variance = gaps.Select(g => (g - mean) * (g - mean)).Sum() / (gaps.Length - 1);
        // Exp(rate): mean 1/rate with relative SE 1/sqrt(19999) = 0.71%; allow 5σ = 3.5%.
        Assert.That(mean, Is.EqualTo(1 / rate).Within(3.5).Percent);
        // Variance 1/rate²; relative SE of s² is sqrt((κ-1)/n) = sqrt(8/19999) = 2%; allow 5σ.
        Assert.That(variance, Is.EqualTo(1 / (rate * rate)).Within(10).Percent);
    }

    [Test]
    public void Lengths_RespectBounds_AndCoverThemUniformly()
    {
        const int count = 20_000;
        var requests = PoissonRequestGenerator.Generate(count, 1.0, 3, 7, 20, 24, new SeededRandom(6));
        Assert.That(requests.Select(r => r.Id), Is.EqualTo(Enumerable.Range(0, count)));
        Assert.That(requests.Select(r => r.ArrivalSeconds), Is.Ordered);
        Assert.That(requests.Select(r => r.PromptTokens), Has.All.InRange(3, 7));
        Assert.That(requests.Select(r => r.OutputTokens), Has.All.InRange(20, 24));
        // Five equally likely values: 4000 each, SD sqrt(20000·0.2·0.8) = 56.6; allow 5σ ≈ 283.
        foreach (var g in requests.GroupBy(r => r.PromptTokens)) Assert.That(g.Count(), Is.EqualTo(4000).Within(283));
        Assert.That(requests.Select(r => r.PromptTokens).Distinct().Count(), Is.EqualTo(5));
        Assert.That(requests.Select(r => r.OutputTokens).Distinct().Count(), Is.EqualTo(5));
    }

    [Test]
    public void EqualBounds_GiveFixedLengths()
    {
        var requests = PoissonRequestGenerator.Generate(100, 1.0, 512, 512, 128, 128, new SeededRandom(1));
        Assert.That(requests.Select(r => r.PromptTokens), Has.All.EqualTo(512));
        Assert.That(requests.Select(r => r.OutputTokens), Has.All.EqualTo(128));
    }

    [TestCase(0, 1.0, 1, 1, 1, 1)]
    [TestCase(10, 0.0, 1, 1, 1, 1)]
    [TestCase(10, double.NaN, 1, 1, 1, 1)]
    [TestCase(10, 1.0, 0, 1, 1, 1)]
    [TestCase(10, 1.0, 5, 4, 1, 1)]
    [TestCase(10, 1.0, 1, 1, 0, 1)]
    [TestCase(10, 1.0, 1, 1, 3, 2)]
    public void InvalidArguments_Throw(int count, double rate, int pMin, int pMax, int oMin, int oMax)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PoissonRequestGenerator.Generate(count, rate, pMin, pMax, oMin, oMax, new SeededRandom(1)));
    }
}
