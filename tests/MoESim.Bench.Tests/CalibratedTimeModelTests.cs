using MoESim.Cost;
using MoESim.Hardware;
using MoESim.Hardware.Calibration;
using MoESim.Units;

namespace MoESim.Bench.Tests;

/// <summary>CalibratedTimeModel against the reference RooflineTimeModel where the curves are flat.</summary>
[TestFixture]
public sealed class CalibratedTimeModelTests
{
    private static DeviceProfile Device(double efficiency, CalibrationSection? calibration) => new()
    {
        Name = "d", Kind = DeviceKind.Gpu,
        PeakFlopsPerSecond = new Dictionary<DataType, double> { [DataType.Bf16] = 1e15, [DataType.Fp32] = 6e13 },
        MemoryTiers = new[] { new MemoryTier { Name = "hbm", CapacityBytes = 8e10, BandwidthBytesPerSecond = 3e12 } },
        HostLink = new HostLink { Name = "pcie", BandwidthBytesPerSecondPerDirection = 6e10, LatencySeconds = 0 },
        KernelLaunchOverheadSeconds = 4e-6, PowerWatts = 700, PricePerHourUsd = 0,
        DefaultEfficiency = new Efficiency { Compute = efficiency, Memory = efficiency },
        OperatorEfficiency = new Dictionary<string, Efficiency>(),
        Calibration = calibration,
    };

    private static CalibrationSection Flat(double factor) => new()
    {
        Source = "test",
        Curves = new Dictionary<string, EfficiencyCurve>
        {
            ["gemm"] = new() { Family = "gemm", Intensity = PiecewiseLogCurve.Constant(factor), Size = PiecewiseLogCurve.Constant(1) },
        },
        OperatorFamilies = new Dictionary<string, string> { [OperatorKinds.AttentionProjection] = "gemm", [OperatorKinds.LmHead] = "gemm" },
    };

    private static OperatorWork Work(string kind, double flops, double bytes, int kernels) => new()
    {
        Name = "w", Kind = kind, Flops = flops, WeightBytes = bytes, ActivationBytes = 0, KvCacheBytes = 0, ComputeType = DataType.Bf16, Kernels = kernels,
    };

    [TestCase(OperatorKinds.AttentionProjection, 1e12, 1e9, 2)]   // compute-bound
    [TestCase(OperatorKinds.LmHead, 1e9, 1e10, 1)]                // memory-bound
    [TestCase(OperatorKinds.AttentionDecode, 1e9, 1e10, 1)]       // no curve: falls back to the static efficiency
    public void FlatCurve_MatchesRooflineWithThatEfficiency(string kind, double flops, double bytes, int kernels)
    {
        var work = Work(kind, flops, bytes, kernels);
        var reference = new RooflineTimeModel(Device(0.6, null)).Seconds(work);
        var calibrated = new CalibratedTimeModel(Device(0.6, Flat(0.6))).Seconds(work);
        Assert.That(calibrated, Is.EqualTo(reference).Within(1e-9).Percent);
        // And by hand for the compute-bound case: 1e12 / (1e15 · 0.6) + 2 · 4 µs.
        if (flops == 1e12) Assert.That(calibrated, Is.EqualTo(1e12 / 6e14 + 8e-6).Within(1e-9).Percent);
    }

    [Test]
    public void RisingCurve_IsSlowerAtLowIntensity()
    {
        var calibration = Flat(1) with
        {
            Curves = new Dictionary<string, EfficiencyCurve>
            {
                ["gemm"] = new() { Family = "gemm", Size = PiecewiseLogCurve.Constant(1),
                    Intensity = new PiecewiseLogCurve { Knots = new[] { new CurveKnot(0, 0.25), new CurveKnot(8, 1.0) } } },
            },
        };
        var model = new CalibratedTimeModel(Device(1, calibration));
        // Intensity 1 FLOP/B (log2 = 0) → efficiency 0.25: memory time 1e10 / 3e12 / 0.25 + 4 µs.
        Assert.That(model.Seconds(Work(OperatorKinds.LmHead, 1e10, 1e10, 1)), Is.EqualTo(1e10 / 3e12 / 0.25 + 4e-6).Within(1e-9).Percent);
        // Intensity 16 (log2 = 4, halfway in log space) → efficiency sqrt(0.25 · 1) = 0.5.
        Assert.That(model.Seconds(Work(OperatorKinds.LmHead, 1.6e11, 1e10, 0)), Is.EqualTo(Math.Max(1.6e11 / 1e15, 1e10 / 3e12) / 0.5).Within(1e-9).Percent);
    }

    [Test]
    public void ProfileWithoutCalibration_IsRejected() =>
        Assert.Throws<ArgumentException>(() => _ = new CalibratedTimeModel(Device(1, null)));
}
