using MoESim.Bench.Suite;

namespace MoESim.Bench.Calibration;

/// <summary>The device's peaks as the probe kernels measured them: best fp32 GEMM rate and best streaming rate.</summary>
public sealed record ProbedPeaks(double Fp32FlopsPerSecond, double MemoryBytesPerSecond)
{
    /// <summary>Reads the peaks off <paramref name="measurements"/>; throws when no GEMM or streaming case ran.</summary>
    public static ProbedPeaks From(IReadOnlyList<Measurement> measurements)
    {
        var gemm = measurements.Where(m => m.Family == BenchFamilies.Gemm).Select(m => m.Flops / m.Seconds).DefaultIfEmpty(0).Max();
        var stream = measurements.Where(m => m.Family == BenchFamilies.Stream).Select(m => m.Bytes / m.Seconds).DefaultIfEmpty(0).Max();
        if (gemm <= 0 || stream <= 0)
            throw new InvalidOperationException("the suite measured no GEMM or no streaming case, so the device's peaks are unknown");
        return new ProbedPeaks(gemm, stream);
    }
}
