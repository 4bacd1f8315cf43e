using MoESim.Cost;
using MoESim.Hardware;
using MoESim.Hardware.Calibration;
using MoESim.Units;

namespace MoESim.Bench.Tests;

/// <summary>CalibratedTimeModel against the reference RooflineTimeModel (a max model with equal efficiencies) and against hand sums.</summary>
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

    private static CalibrationSection Flat(double factor, WorkCombine combine = WorkCombine.Max) => new()
    {
        Source = "test",
        Families = new Dictionary<string, FamilyTimeModel>
        {
            ["gemm"] = new() { Family = "gemm", Combine = combine, ComputeEfficiency = factor, MemoryEfficiency = factor },
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
    public void MaxModel_MatchesRooflineWithThatEfficiency(string kind, double flops, double bytes, int kernels)
    {
        var work = Work(kind, flops, bytes, kernels);
        var reference = new RooflineTimeModel(Device(0.6, null)).Seconds(work);
        var calibrated = new CalibratedTimeModel(Device(0.6, Flat(0.6))).Seconds(work);
        Assert.That(calibrated, Is.EqualTo(reference).Within(1e-9).Percent);
        // And by hand for the compute-bound case: 1e12 / (1e15 · 0.6) + 2 · 4 µs.
        if (flops == 1e12) Assert.That(calibrated, Is.EqualTo(1e12 / 6e14 + 8e-6).Within(1e-9).Percent);
    }

    [Test]
    public void SumModel_AddsComputeAndMemoryTimes()
    {
        var model = new CalibratedTimeModel(Device(1, Flat(0.5, WorkCombine.Sum)));
        // By hand: 1e12 / (1e15 · 0.5) + 1e10 / (3e12 · 0.5) + 2 · 4 µs = 2 ms + 6.6667 ms + 8 µs.
        Assert.That(model.Seconds(Work(OperatorKinds.LmHead, 1e12, 1e10, 2)), Is.EqualTo(2e-3 + 1e10 / 1.5e12 + 8e-6).Within(1e-9).Percent);
    }

    [Test]
    public void PerOutputElementCost_IsAdded()
    {
        var calibration = Flat(1) with
        {
            Families = new Dictionary<string, FamilyTimeModel>
            {
                ["gemm"] = new() { Family = "gemm", Combine = WorkCombine.Sum, ComputeEfficiency = 0.5, SecondsPerOutputElement = 1e-9 },
            },
        };
        var model = new CalibratedTimeModel(Device(1, calibration));
        // By hand: 1e12 / (1e15 · 0.5) + 3e6 elements · 1 ns + 1 launch of 4 µs = 2 ms + 3 ms + 4 µs.
        var work = Work(OperatorKinds.LmHead, 1e12, 1e10, 1) with { OutputElements = 3e6 };
        Assert.That(model.Seconds(work), Is.EqualTo(5e-3 + 4e-6).Within(1e-9).Percent);
    }

    [Test]
    public void MissingTerm_CostsNothing()
    {
        var calibration = Flat(1) with
        {
            Families = new Dictionary<string, FamilyTimeModel>
            {
                ["gemm"] = new() { Family = "gemm", Combine = WorkCombine.Sum, MemoryEfficiency = 0.25 },
            },
        };
        var model = new CalibratedTimeModel(Device(1, calibration));
        // Memory only: 1e10 / (3e12 · 0.25) + 4 µs, whatever the FLOPs.
        Assert.That(model.Seconds(Work(OperatorKinds.LmHead, 1e14, 1e10, 1)), Is.EqualTo(1e10 / 7.5e11 + 4e-6).Within(1e-9).Percent);
    }

    [Test]
    public void ProfileWithoutCalibration_IsRejected() =>
        Assert.Throws<ArgumentException>(() => _ = new CalibratedTimeModel(Device(1, null)));
}
