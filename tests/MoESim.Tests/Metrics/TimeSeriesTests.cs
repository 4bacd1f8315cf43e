using MoESim.Metrics;
using MoESim.Serving;
using static MoESim.Tests.Metrics.MetricsTestResults;
using MoESim.Results;

namespace MoESim.Tests.Metrics;

[TestFixture]
public class TimeSeriesTests
{
    // One request arriving at 0 s, first token at 1.5 s, finishing at 2.0 s with 2 output tokens.
    // Pass A runs 0.5–1.5 s (100 FLOP, 200 B, 10 prompt tokens, 1 output token); pass B runs
    // 1.5–2.0 s (30 FLOP, 60 B, 1 decode, 1 output token). The request's 400 B of KV cache are
    // reserved when A starts and released when B ends (it finishes there).
    // Makespan 2 s in 2 windows of 1 s.
    private static SimulationResult Sample() => Result(
        new[] { new RequestOutcome(0, 0, (long)(1.5 * Ps), 2 * Ps, PromptTokens: 10, OutputTokens: 2) },
        new[] { Pass(0.5, 1.5, 100, 200, 10, 0, 1, kvDuring: 400, kvAfter: 400), Pass(1.5, 2.0, 30, 60, 0, 1, 1, kvDuring: 400, kvAfter: 0) },
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
        // KV, time mean of 1000 B capacity: window 0 holds nothing for 0.5 s, then 400 B -> 0.2;
        // window 1 holds 400 B throughout (A, then B) -> 0.4.
        Assert.That(points[0].KvCacheFraction, Is.EqualTo(0.2).Within(1e-12));
        Assert.That(points[1].KvCacheFraction, Is.EqualTo(0.4).Within(1e-12));
    }

    // A long prefill pass A (0–2.5 s) holds 300 B; pass B (2.5–3 s) admits a second request
    // (500 B during) and releases the first when it ends (200 B after); pass C (3–3.5 s) holds
    // 200 B and releases it; nothing is held in 3.5–4 s. 4 windows of 1 s, capacity 1000 B.
    // Windows 0 and 1 see no pass end: the old series reported 0 there although 300 B were held.
    [TestCase(0, 0.3, TestName = "KvCache_WindowInsideALongPass_ReportsTheKvItHolds")]
    [TestCase(1, 0.3, TestName = "KvCache_SecondWindowInsideALongPass_ReportsTheKvItHolds")]
    [TestCase(2, 0.4, TestName = "KvCache_WindowWithAnAdmission_IsTheTimeMean")] // 0.5 s x 300 B + 0.5 s x 500 B
    [TestCase(3, 0.1, TestName = "KvCache_WindowEndingIdle_CountsOnlyTheHeldPart")] // 0.5 s x 200 B + 0.5 s x 0
    public void KvCache_IsTheTimeMeanOfTheReservation(int window, double expectedFraction)
    {
        var result = Result(
            new[]
            {
                new RequestOutcome(0, 0, (long)(2.5 * Ps), 3 * Ps, PromptTokens: 30, OutputTokens: 2),
                new RequestOutcome(1, 2 * Ps, 3 * Ps, (long)(3.5 * Ps), PromptTokens: 10, OutputTokens: 2),
            },
            new[]
            {
                Pass(0.0, 2.5, 10, 10, 30, 0, 1, kvDuring: 300, kvAfter: 300),
                Pass(2.5, 3.0, 10, 10, 10, 1, 2, kvDuring: 500, kvAfter: 200),
                Pass(3.0, 3.5, 10, 10, 0, 1, 1, kvDuring: 200, kvAfter: 0),
            },
            makespan: 4.0, busy: 3.5);

        var points = TimeSeries.Build(result, windows: 4, peakFlopsPerSecond: 1, bandwidthBytesPerSecond: 1);

        Assert.That(points[window].KvCacheFraction, Is.EqualTo(expectedFraction).Within(1e-9).Percent);
    }

    [Test]
    public void KvCache_ByteSecondsAreConservedAcrossWindows()
    {
        // 0.5 s x 0 + 1.5 s x 400 B = 600 B·s whatever the windowing.
        var points = TimeSeries.Build(Sample(), windows: 7, peakFlopsPerSecond: 1, bandwidthBytesPerSecond: 1);
        Assert.That(points.Sum(p => p.KvCacheFraction * 1000 * (2.0 / 7)), Is.EqualTo(600).Within(1e-9).Percent);
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
