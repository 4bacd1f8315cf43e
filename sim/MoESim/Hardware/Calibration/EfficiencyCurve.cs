namespace MoESim.Hardware.Calibration;

/// <summary>
/// Measured efficiency of one operator family, relative to the device's probed roofline:
/// efficiency = intensity factor(arithmetic intensity) × size factor(roofline time). A kernel
/// whose ideal roofline time at the probed peaks is t takes t / efficiency + launches.
/// </summary>
public sealed record EfficiencyCurve
{
    /// <summary>Family name as benchmarked, e.g. "gemm", "swiglu_ffn", "stream".</summary>
    public required string Family { get; init; }

    /// <summary>Factor over log2 of arithmetic intensity (FLOP per byte of memory traffic).</summary>
    public required PiecewiseLogCurve Intensity { get; init; }

    /// <summary>Factor over log2 of the kernel's ideal roofline time in seconds (its size).</summary>
    public required PiecewiseLogCurve Size { get; init; }

    /// <summary>Smallest intensity the curve distinguishes (FLOP/B); pure data movement sits here.</summary>
    public const double MinIntensityFlopsPerByte = 1.0 / 1024;

    /// <summary>Smallest roofline time the curve distinguishes, seconds.</summary>
    public const double MinRooflineSeconds = 1e-12;

    /// <summary>log2 of the intensity the curve is evaluated at (floored at <see cref="MinIntensityFlopsPerByte"/>).</summary>
    public static double IntensityCoordinate(double flops, double bytes) =>
        Math.Log2(Math.Max(bytes > 0 ? flops / bytes : 1e9, MinIntensityFlopsPerByte));

    /// <summary>log2 of the roofline time the curve is evaluated at (floored at <see cref="MinRooflineSeconds"/>).</summary>
    public static double SizeCoordinate(double rooflineSeconds) => Math.Log2(Math.Max(rooflineSeconds, MinRooflineSeconds));

    /// <summary>Efficiency (&gt; 0; may exceed 1 where a kernel beats the probe peaks) for the given work.</summary>
    public double EfficiencyFor(double flops, double bytes, double rooflineSeconds) =>
        Intensity.FactorAt(IntensityCoordinate(flops, bytes)) * Size.FactorAt(SizeCoordinate(rooflineSeconds));
}
