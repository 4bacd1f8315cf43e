using MoESim.Metrics;
using MoESim.Serving;
using static MoESim.Tests.Metrics.MetricsTestResults;
using MoESim.Results;

namespace MoESim.Tests.Metrics;

[TestFixture]
public class ServingMetricsTests
{
    [Test]
    public void HandMadeResult_ThroughputAndUtilisation()
    {
        // Request 0: arrives 0 s, first token 1 s, finishes 3 s, prompt 10, output 3 -> TTFT 1, TPOT (3-1)/2 = 1, E2E 3.
        // Request 1: arrives 1 s, first token 2 s, finishes 4 s, prompt 6, output 5 -> TTFT 1, TPOT 2/4 = 0.5, E2E 3.
        // Makespan 4 s: output 8 tokens -> 2 tok/s; prompt 16 -> 4 tok/s; 2 requests -> 0.5 req/s.
        // Passes: 300 FLOP + 100 FLOP = 400 over 4 s = 100 FLOP/s of peak 1000 -> 0.1;
        // 2000 + 2000 = 4000 B over 4 s = 1000 B/s of 10000 -> 0.1. Busy 3 s of 4 -> 0.75.
        var result = Result(
            new[]
            {
                new RequestOutcome(0, 0, 1 * Ps, 3 * Ps, 10, 3),
                new RequestOutcome(1, 1 * Ps, 2 * Ps, 4 * Ps, 6, 5),
            },
            new[] { Pass(0, 2, 300, 2000, 16, 0, 2), Pass(2, 3, 100, 2000, 0, 2, 6) },
            makespan: 4.0, busy: 3.0);
        var m = ServingMetrics.From(result, peakFlopsPerSecond: 1000, bandwidthBytesPerSecond: 10_000);
        Assert.That(m.Requests, Is.EqualTo(2));
        Assert.That(m.OutputTokensPerSecond, Is.EqualTo(2.0).Within(1e-12));
        Assert.That(m.PromptTokensPerSecond, Is.EqualTo(4.0).Within(1e-12));
        Assert.That(m.RequestsPerSecond, Is.EqualTo(0.5).Within(1e-12));
        Assert.That(m.MakespanSeconds, Is.EqualTo(4.0));
        Assert.That(m.DeviceBusyFraction, Is.EqualTo(0.75).Within(1e-12));
        Assert.That(m.ComputeUtilization, Is.EqualTo(0.1).Within(1e-12));
        Assert.That(m.MemoryBandwidthUtilization, Is.EqualTo(0.1).Within(1e-12));
        Assert.That(m.Ttft.MeanSeconds, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(m.Tpot.MeanSeconds, Is.EqualTo(0.75).Within(1e-12));
        Assert.That(m.Tpot.MaxSeconds, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(m.EndToEnd.P50Seconds, Is.EqualTo(3.0).Within(1e-12));
        Assert.That(m.Passes, Is.EqualTo(2));
        Assert.That(m.WeightBytes, Is.EqualTo(4000));
        Assert.That(m.KvCacheCapacityBytes, Is.EqualTo(1000));
    }

    [Test]
    public void OneTokenOutputs_HaveNoTpot()
    {
        // Output 1 token: TPOT is undefined (NaN) and the summary over only such requests is empty.
        var result = Result(new[] { new RequestOutcome(0, 0, 1 * Ps, 1 * Ps, 4, 1) }, new[] { Pass(0, 1, 1, 1, 4, 0, 1) }, 1.0, 1.0);
        var m = ServingMetrics.From(result, 1, 1);
        Assert.That(m.Tpot.Count, Is.EqualTo(0));
        Assert.That(m.Tpot.MeanSeconds, Is.NaN);
        Assert.That(m.Ttft.MeanSeconds, Is.EqualTo(1.0).Within(1e-12));
        Assert.That(m.OutputTokensPerSecond, Is.EqualTo(1.0).Within(1e-12));
    }
}
