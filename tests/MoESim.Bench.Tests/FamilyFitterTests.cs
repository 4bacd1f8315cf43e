using MoESim.Bench.Calibration;
using MoESim.Hardware.Calibration;

namespace MoESim.Bench.Tests;

/// <summary>Calibration recovers known synthetic sum and max (roofline) models, with and without a per-thread cost, exactly from noiseless times.</summary>
[TestFixture]
public sealed class FamilyFitterTests
{
    private const double Peak = 1e12;      // FLOP/s
    private const double Bandwidth = 1e11; // B/s
    private const double Launch = 5e-6;    // s

    private static FamilyTimeModel Truth(WorkCombine combine, double? compute, double? memory, double perThread = 0) =>
        new() { Family = "f", Combine = combine, ComputeEfficiency = compute, MemoryEfficiency = memory, SecondsPerOutputElement = perThread };

    /// <summary>
    /// Points spread over intensity 1/8 .. 64 FLOP/B, sizes 1e5 .. 1e9 bytes and 10 .. 1e5 threads
    /// (not proportional to either), timed with <paramref name="truth"/>.
    /// </summary>
    private static List<CurvePoint> Points(FamilyTimeModel truth, int kernels = 1)
    {
        var points = new List<CurvePoint>();
        for (var i = -3; i <= 6; i++)
        {
            var bytes = 1e5 * Math.Pow(10, (i + 3) % 5);
            var flops = Math.Pow(2, i) * bytes;
            var threads = 10 * Math.Pow(10, (i + 3) * 3 % 5);
            points.Add(new CurvePoint(flops, bytes, kernels, truth.WorkSeconds(flops, bytes, threads, Peak, Bandwidth) + kernels * Launch, threads));
        }
        return points;
    }

    [TestCase(WorkCombine.Sum, 0.8, 0.3)]
    [TestCase(WorkCombine.Sum, 0.05, 2.5)]
    [TestCase(WorkCombine.Max, 0.6, 0.9)]
    [TestCase(WorkCombine.Max, 0.2, 0.4)]
    public void NoiselessModel_IsRecoveredExactly(WorkCombine combine, double compute, double memory)
    {
        var truth = Truth(combine, compute, memory);
        var fitted = FamilyFitter.Fit("f", Points(truth, kernels: 3), Peak, Bandwidth, Launch);
        Assert.That(fitted.Combine, Is.EqualTo(combine));
        Assert.That(fitted.ComputeEfficiency, Is.EqualTo(compute).Within(1e-6).Percent);
        Assert.That(fitted.MemoryEfficiency, Is.EqualTo(memory).Within(1e-6).Percent);
        Assert.That(fitted.SecondsPerOutputElement, Is.EqualTo(0).Within(1e-15));
    }

    [TestCase(WorkCombine.Sum, 0.3, 0.5, 2e-6)]
    [TestCase(WorkCombine.Max, 0.5, 0.7, 5e-7)]
    public void NoiselessModelWithPerThreadCost_IsRecoveredExactly(WorkCombine combine, double compute, double memory, double perThread)
    {
        var truth = Truth(combine, compute, memory, perThread);
        var fitted = FamilyFitter.Fit("f", Points(truth), Peak, Bandwidth, Launch);
        Assert.That(fitted.Combine, Is.EqualTo(combine));
        Assert.That(fitted.ComputeEfficiency, Is.EqualTo(compute).Within(1e-6).Percent);
        Assert.That(fitted.MemoryEfficiency, Is.EqualTo(memory).Within(1e-6).Percent);
        Assert.That(fitted.SecondsPerOutputElement, Is.EqualTo(perThread).Within(1e-6).Percent);
    }

    [Test]
    public void PureDataMovement_FitsOnlyTheMemoryTerm()
    {
        // Streams: no FLOPs, 1e6..1e9 bytes at 70% of the bandwidth.
        var points = new[] { 1e6, 1e7, 1e8, 1e9 }.Select(b => new CurvePoint(0, b, 1, b / (Bandwidth * 0.7) + Launch)).ToList();
        var fitted = FamilyFitter.Fit("stream", points, Peak, Bandwidth, Launch);
        Assert.That(fitted.ComputeEfficiency, Is.Null);
        Assert.That(fitted.MemoryEfficiency, Is.EqualTo(0.7).Within(1e-6).Percent);
        // By hand: 1e8 B at 0.7 × 1e11 B/s = 1.428571 ms.
        Assert.That(fitted.WorkSeconds(0, 1e8, 0, Peak, Bandwidth), Is.EqualTo(1.0 / 700).Within(1e-6).Percent);
    }

    [Test]
    public void ComputeOnlyTruth_DropsTheMemoryTermRatherThanGoingNegative()
    {
        var truth = Truth(WorkCombine.Sum, 0.5, null);
        var fitted = FamilyFitter.Fit("gemm", Points(truth), Peak, Bandwidth, Launch);
        Assert.That(fitted.MemoryEfficiency, Is.Null);
        Assert.That(fitted.ComputeEfficiency, Is.EqualTo(0.5).Within(1e-6).Percent);
    }

    [Test]
    public void NoisyTimes_GiveEfficienciesNearTheTruth()
    {
        // ±5% deterministic multiplicative noise: the weighted fit stays within a few percent.
        var truth = Truth(WorkCombine.Sum, 0.4, 0.6);
        var points = Points(truth).Select((p, i) => p with { Seconds = p.Seconds * (1 + 0.05 * Math.Sin(3.7 * i)) }).ToList();
        var fitted = FamilyFitter.Fit("f", points, Peak, Bandwidth, Launch);
        Assert.That(fitted.ComputeEfficiency, Is.EqualTo(0.4).Within(8).Percent);
        Assert.That(fitted.MemoryEfficiency, Is.EqualTo(0.6).Within(8).Percent);
    }
}
