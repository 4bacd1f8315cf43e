using MoESim.Bench.Suite;
using MoESim.Hardware.Calibration;

namespace MoESim.Bench.Calibration;

/// <summary>Fits one time model per probe family on that family's fit-subset measurements.</summary>
public static class Calibrator
{
    /// <summary>Builds the calibration section (composites and held-out cases never enter the fit).</summary>
    public static CalibrationSection Calibrate(IReadOnlyList<Measurement> measurements, ProbedPeaks peaks, double launchSeconds, string source)
    {
        var models = new Dictionary<string, FamilyTimeModel>(StringComparer.Ordinal);
        foreach (var family in BenchFamilies.Probes)
        {
            var points = measurements
                .Where(m => m.Family == family && m.Fit)
                .Select(m => new CurvePoint(m.Flops, m.Bytes, m.Kernels, m.Seconds, m.Threads))
                .ToList();
            if (points.Count == 0) continue;
            models[family] = FamilyFitter.Fit(family, points, peaks.Fp32FlopsPerSecond, peaks.MemoryBytesPerSecond, launchSeconds);
        }
        var operators = BenchFamilies.OperatorFamilies.Where(kv => models.ContainsKey(kv.Value))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        return new CalibrationSection { Source = source, Families = models, OperatorFamilies = operators };
    }
}
