using MoESim.Metrics;

namespace MoESim.Tests.Metrics;

[TestFixture]
public class LatencySummaryTests
{
    // R-7 (NumPy default): h = (n-1)·p + 1, Q = x[floor h] + (h - floor h)·(x[floor h + 1] - x[floor h]) (1-based).
    // 1..10: p50 h = 5.5 -> 5.5; p90 h = 9.1 -> 9 + 0.1 = 9.1; p99 h = 9.91 -> 9.91. Mean 5.5, max 10.
    [Test]
    public void OneToTen_HandComputedR7()
    {
        var sample = new double[] { 7, 3, 10, 1, 5, 9, 2, 8, 6, 4 }; // shuffled 1..10
        var s = LatencySummary.Of(sample);
        Assert.That(s.Count, Is.EqualTo(10));
        Assert.That(s.MeanSeconds, Is.EqualTo(5.5).Within(1e-12));
        Assert.That(s.P50Seconds, Is.EqualTo(5.5).Within(1e-12));
        Assert.That(s.P90Seconds, Is.EqualTo(9.1).Within(1e-12));
        Assert.That(s.P99Seconds, Is.EqualTo(9.91).Within(1e-12));
        Assert.That(s.MaxSeconds, Is.EqualTo(10));
    }

    [Test]
    public void FiveValues_HandComputedR7()
    {
        // Sorted 1, 1, 3, 4, 5 (n = 5): p50 h = 3 -> 3; p90 h = 4.6 -> 4 + 0.6·1 = 4.6;
        // p99 h = 4.96 -> 4.96. Mean 14/5 = 2.8.
        var s = LatencySummary.Of(new double[] { 3, 1, 4, 1, 5 });
        Assert.That(s.MeanSeconds, Is.EqualTo(2.8).Within(1e-12));
        Assert.That(s.P50Seconds, Is.EqualTo(3.0).Within(1e-12));
        Assert.That(s.P90Seconds, Is.EqualTo(4.6).Within(1e-12));
        Assert.That(s.P99Seconds, Is.EqualTo(4.96).Within(1e-12));
        Assert.That(s.MaxSeconds, Is.EqualTo(5));
    }

    [Test]
    public void NaNAndInfinity_AreIgnored()
    {
        // Finite values 2 and 4: mean 3, p50 3, p90 h = 1.9 -> 2 + 0.9·2 = 3.8.
        var s = LatencySummary.Of(new[] { double.NaN, 2.0, double.PositiveInfinity, 4.0, double.NaN });
        Assert.That(s.Count, Is.EqualTo(2));
        Assert.That(s.MeanSeconds, Is.EqualTo(3.0).Within(1e-12));
        Assert.That(s.P50Seconds, Is.EqualTo(3.0).Within(1e-12));
        Assert.That(s.P90Seconds, Is.EqualTo(3.8).Within(1e-12));
        Assert.That(s.MaxSeconds, Is.EqualTo(4.0));
    }

    [Test]
    public void SingleValue_IsEveryPercentile()
    {
        var s = LatencySummary.Of(new[] { 0.25 });
        Assert.That(new[] { s.MeanSeconds, s.P50Seconds, s.P90Seconds, s.P99Seconds, s.MaxSeconds }, Has.All.EqualTo(0.25));
    }

    [TestCase(new double[0])]
    [TestCase(new[] { double.NaN, double.NaN })]
    public void EmptySample_GivesNaN(double[] sample)
    {
        var s = LatencySummary.Of(sample);
        Assert.That(s.Count, Is.EqualTo(0));
        Assert.That(new[] { s.MeanSeconds, s.P50Seconds, s.P90Seconds, s.P99Seconds, s.MaxSeconds }, Has.All.NaN);
    }
}
