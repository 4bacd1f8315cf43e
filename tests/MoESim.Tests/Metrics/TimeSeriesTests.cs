using MoESim.Metrics;
using MoESim.Serving;
using static MoESim.Tests.Metrics.MetricsTestResults;

namespace MoESim.Tests.Metrics;

[TestFixture]
public class TimeSeriesTests
{
    // One request arriving at 0 s, first token at 1.5 s, finishing at 2.0 s with 2 output tokens.
    // Pass A runs 0.5–1.5 s (100 FLOP, 200 B, 10 prompt tokens, 1 output token, 400 B KV);
    // pass B runs 1.5–2.0 s (30 FLOP, 60 B, 1 decode, 1 output token, 600 B KV).
    // Makespan 2 s in 2 windows of 1 s.
    private static SimulationResult Sample() => Result(
        new[] { new RequestOutcome(0, 0, (long)(1.5 * Ps), 2 * Ps, PromptTokens: 10, OutputTokens: 2) },
        new[] { Pass(0.5, 1.5, 100, 200, 10, 0, 1, kv: 400), Pass(1.5, 2.0, 30, 60, 0, 1, 1, kv: 600) },
        makespan: 2.0, busy: 1.5);

    [Test]
    public void PassSpanningTwoWindows_SplitsBusyTimeAndWorkByOverlap()
    {
        var points = TimeSeries.Build(Sample(), windows: 2, peakFlopsPerSecond: 100, bandwidthBytesPerSecond: 1000);
        Assert.That(points, Has.Count.EqualTo(2));
        Assert.That(points[0].TimeSeconds, Is.EqualTo(0.5).Within(1e-12));
        Assert.That(points[1].TimeSeconds, Is.EqualTo(1.5).Within(1e-12));
        // Window 0 (0–1 s): half of A -> busy 0.5 s, 50 FLOP, 100 B, 5 prompt tokens.
        Assert.That(points[0].DeviceBusyFraction, Is.EqualTo(0.5).Within(1e-9));
        Assert.That(points[0].ComputeUtilization, Is.EqualTo(50.0 / 1 / 100).Within(1e-9));
        Assert.That(points[0].MemoryBandwidthUtilization, Is.EqualTo(100.0 / 1 / 1000).Within(1e-9));
        Assert.That(points[0].PromptTokensPerSecond, Is.EqualTo(5.0).Within(1e-9));
        Assert.That(points[0].OutputTokensPerSecond, Is.EqualTo(0.0));
        Assert.That(points[0].MeanTtftSeconds, Is.NaN);
        Assert.That(points[0].MeanTpotSeconds, Is.NaN);
        // Window 1 (1–2 s): other half of A plus all of B -> busy 1.0 s, 50 + 30 = 80 FLOP,
        // 100 + 60 = 160 B, 5 prompt tokens; both passes end here -> 2 output tokens/s.
        Assert.That(points[1].DeviceBusyFraction, Is.EqualTo(1.0).Within(1e-9));
        Assert.That(points[1].ComputeUtilization, Is.EqualTo(80.0 / 1 / 100).Within(1e-9));
        Assert.That(points[1].MemoryBandwidthUtilization, Is.EqualTo(160.0 / 1 / 1000).Within(1e-9));
        Assert.That(points[1].PromptTokensPerSecond, Is.EqualTo(5.0).Within(1e-9));
        Assert.That(points[1].OutputTokensPerSecond, Is.EqualTo(2.0).Within(1e-9));
        // TTFT 1.5 s (first token at 1.5 s, window 1); TPOT (2.0 - 1.5)/(2 - 1) = 0.5 s (finish in window 1).
        Assert.That(points[1].MeanTtftSeconds, Is.EqualTo(1.5).Within(1e-12));
        Assert.That(points[1].MeanTpotSeconds, Is.EqualTo(0.5).Within(1e-12));
        // KV at the window's last pass: 600 B of 1000 B.
        Assert.That(points[1].KvCacheFraction, Is.EqualTo(0.6).Within(1e-12));
    }

    [Test]
    public void WorkIsConservedAcrossWindows()
    {
        // With 7 windows (width 2/7 s) passes straddle boundaries unevenly; totals must still be
        // 130 FLOP, 260 B and 1.5 s busy.
        var points = TimeSeries.Build(Sample(), windows: 7, peakFlopsPerSecond: 1, bandwidthBytesPerSecond: 1);
        var width = 2.0 / 7;
        Assert.That(points.Sum(p => p.ComputeUtilization * width), Is.EqualTo(130).Within(1e-9).Percent);
        Assert.That(points.Sum(p => p.MemoryBandwidthUtilization * width), Is.EqualTo(260).Within(1e-9).Percent);
        Assert.That(points.Sum(p => p.DeviceBusyFraction * width), Is.EqualTo(1.5).Within(1e-9).Percent);
        Assert.That(points.Sum(p => p.OutputTokensPerSecond * width), Is.EqualTo(2).Within(1e-9).Percent);
    }

    [Test]
    public void ZeroWindows_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeSeries.Build(Sample(), 0, 1, 1));
    }
}
