using MoESim.Bench.Calibration;
using MoESim.Bench.Profile;
using MoESim.Bench.Suite;
using MoESim.Bench.Validation;
using MoESim.Cost;
using MoESim.Hardware;

namespace MoESim.Bench.Tests;

/// <summary>A measured profile written from synthetic measurements loads back through DeviceProfileLoader with the same numbers.</summary>
[TestFixture]
public sealed class MeasuredProfileTests
{
    private string _folder = null!;

    [SetUp]
    public void SetUp()
    {
        _folder = Path.Combine(Path.GetTempPath(), "moesim-bench-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_folder, recursive: true);

    private static Measurement M(string family, double flops, double bytes, double seconds, bool fit, int kernels = 1) => new()
    {
        Family = family, Variant = "v", Shape = $"F={flops} B={bytes}", Components = new[] { new WorkComponent(family, flops, bytes, kernels) },
        Timing = new TimingStatistics(seconds, seconds * 0.95, seconds * 1.1, 5), Fit = fit, MaxRelativeError = 1e-6,
    };

    private static SuiteResult Result(IReadOnlyList<Measurement> ms) => new()
    {
        DeviceName = "Test Device", DeviceSlug = "test-device", IsGpu = false, Date = "2026-11-24", Size = SuiteSize.Quick,
        LaunchOverheadSeconds = 1e-5, HostToDeviceBytesPerSecond = 5e9, DeviceMemoryBytes = 8.0 * (1L << 30),
        Measurements = ms, Skipped = Array.Empty<SkippedCase>(),
    };

    [Test]
    public void RoundTrip_PeaksLaunchAndFamilies()
    {
        // GEMMs at 1e9 FLOP/s best, streams at 2e9 B/s; two GEMM points fit the two-term sum model exactly.
        var ms = new List<Measurement>
        {
            M(BenchFamilies.Gemm, 1e6, 1e5, 1e-5 + 4e-3, true), M(BenchFamilies.Gemm, 1e8, 1e6, 1e-5 + 0.1, true),
            M(BenchFamilies.Gemm, 1e7, 4e5, 0.02, false),
            M(BenchFamilies.Stream, 0, 1e6, 1e-5 + 5e-4, true), M(BenchFamilies.Stream, 0, 1e8, 0.05, true),
        };
        var result = Result(ms);
        var peaks = ProbedPeaks.From(ms);
        // Peaks come from each case's 10th-percentile time, 0.95 × the median here.
        Assert.That(peaks.Fp32FlopsPerSecond, Is.EqualTo(1e8 / (0.95 * (1e-5 + 0.1))).Within(1e-9).Percent);
        Assert.That(peaks.MemoryBytesPerSecond, Is.EqualTo(2e9 / 0.95).Within(1e-9).Percent);
        var calibration = Calibrator.Calibrate(ms, peaks, result.LaunchOverheadSeconds, "test");
        var path = MeasuredProfileWriter.Write(_folder, result, peaks, calibration);

        var loaded = DeviceProfileLoader.Load(path);
        Assert.That(loaded.Name, Is.EqualTo("test-device-2026-11-24"));
        Assert.That(loaded.PeakFor(Units.DataType.Fp32), Is.EqualTo(peaks.Fp32FlopsPerSecond).Within(1e-3).Percent); // written with 6 significant digits
        Assert.That(loaded.MainMemory.BandwidthBytesPerSecond, Is.EqualTo(2e9 / 0.95).Within(1e-3).Percent);
        Assert.That(loaded.KernelLaunchOverheadSeconds, Is.EqualTo(1e-5).Within(1e-4).Percent);
        Assert.That(loaded.Calibration, Is.Not.Null);
        Assert.That(loaded.Calibration!.ModelForOperator(OperatorKinds.AttentionProjection)!.Family, Is.EqualTo(BenchFamilies.Gemm));
        Assert.That(loaded.Calibration.Families.Keys, Is.EquivalentTo(calibration.Families.Keys));
        foreach (var (family, model) in calibration.Families)
        {
            var back = loaded.Calibration.Families[family];
            Assert.That(back.Combine, Is.EqualTo(model.Combine));
            Assert.That(back.ComputeEfficiency.HasValue, Is.EqualTo(model.ComputeEfficiency.HasValue));
            Assert.That(back.MemoryEfficiency.HasValue, Is.EqualTo(model.MemoryEfficiency.HasValue));
            if (model.ComputeEfficiency is { } ce) Assert.That(back.ComputeEfficiency!.Value, Is.EqualTo(ce).Within(1e-3).Percent);
            if (model.MemoryEfficiency is { } me) Assert.That(back.MemoryEfficiency!.Value, Is.EqualTo(me).Within(1e-3).Percent);
        }

        // The CSV beside it holds the same rows, and the fitted cases are predicted from the loaded profile.
        var csv = MeasurementCsv.Read(Path.ChangeExtension(path, ".csv"));
        Assert.That(csv.Select(m => (m.Family, m.Fit, m.MedianSeconds)), Is.EqualTo(ms.Select(m => (m.Family, m.Fit, m.MedianSeconds))));
        var rows = Validator.Predict(loaded, csv, out var missing);
        Assert.That(missing, Is.Empty);
        foreach (var r in rows.Where(r => r.Fit))
            Assert.That(r.PredictedSeconds, Is.EqualTo(r.MeasuredSeconds).Within(2).Percent, $"{r.Family} {r.Shape}");
    }

    [TestCase(false, DeviceKind.Cpu, ComputeUnitKind.CpuCore, MemoryTierKind.Ddr)]
    [TestCase(true, DeviceKind.Gpu, ComputeUnitKind.GpuCudaCore, null)]
    public void Written_profile_uses_the_compute_unit_layout(bool isGpu, DeviceKind kind, ComputeUnitKind unitKind, MemoryTierKind? tierKind)
    {
        var ms = new List<Measurement>
        {
            M(BenchFamilies.Gemm, 1e6, 1e5, 1e-5 + 4e-3, true), M(BenchFamilies.Gemm, 1e8, 1e6, 1e-5 + 0.1, true),
            M(BenchFamilies.Stream, 0, 1e6, 1e-5 + 5e-4, true), M(BenchFamilies.Stream, 0, 1e8, 0.05, true),
        };
        var result = Result(ms) with { IsGpu = isGpu };
        var peaks = ProbedPeaks.From(ms);
        var yaml = MeasuredProfileWriter.Yaml(result, peaks, Calibrator.Calibrate(ms, peaks, result.LaunchOverheadSeconds, "test"));
        Assert.That(yaml, Does.Not.Contain("compute:\n"), "the old layout's compute: map is gone");
        Assert.That(yaml, Does.Contain("units:\n"));

        var loaded = DeviceProfileLoader.Load(MeasuredProfileWriter.Write(_folder, result, peaks, Calibrator.Calibrate(ms, peaks, result.LaunchOverheadSeconds, "test")));
        Assert.That(loaded.Kind, Is.EqualTo(kind));
        Assert.That(loaded.Units, Has.Count.EqualTo(1));
        Assert.That(loaded.PrimaryUnit.Kind, Is.EqualTo(unitKind));
        Assert.That(loaded.PrimaryUnit.PeakFlopsPerSecond.Keys, Is.EqualTo(new[] { Units.DataType.Fp32 }));
        Assert.That(loaded.PrimaryUnit.MemoryTierName, Is.EqualTo("device"));
        Assert.That(loaded.MainMemory.Kind, Is.EqualTo(tierKind));
        Assert.That(loaded.HostLink!.BandwidthBytesPerSecondPerDirection, Is.EqualTo(5e9).Within(1e-3).Percent);
    }
}
