using MathNet.Numerics.LinearAlgebra;
using MoESim.Hardware.Calibration;

namespace MoESim.Bench.Calibration;

/// <summary>
/// Fits a family's efficiency curve: for each point the efficiency is roofline time at the
/// probed peaks over measured time less launches; ln(efficiency) is modelled as a sum of a
/// piecewise-linear function of log2(intensity) and one of log2(roofline time), with knots at
/// quantiles of the fitted points, solved by least squares (MathNet). The size part carries a
/// small ridge penalty, so when intensity and size move together (one GEMM shape swept in M)
/// the intensity part explains the data and the system stays well posed.
/// </summary>
public static class CurveFitter
{
    /// <summary>Most knots on the intensity axis.</summary>
    public const int MaxIntensityKnots = 6;

    /// <summary>Most knots on the size axis.</summary>
    public const int MaxSizeKnots = 5;

    private const double RidgePerPoint = 1e-3;

    /// <summary>Roofline time at the probed peaks, seconds.</summary>
    public static double RooflineSeconds(double flops, double bytes, double peakFlopsPerSecond, double bandwidthBytesPerSecond) =>
        Math.Max(flops / peakFlopsPerSecond, bytes / bandwidthBytesPerSecond);

    /// <summary>
    /// Measured efficiency of one point: roofline time over time spent beyond launches (launch
    /// time is capped at 95% of the measurement so a launch-dominated point still says something).
    /// </summary>
    public static double Efficiency(CurvePoint p, double peakFlopsPerSecond, double bandwidthBytesPerSecond, double launchSeconds)
    {
        var roofline = RooflineSeconds(p.Flops, p.Bytes, peakFlopsPerSecond, bandwidthBytesPerSecond);
        var net = Math.Max(p.Seconds - p.Kernels * launchSeconds, 0.05 * p.Seconds);
        return roofline / net;
    }

    /// <summary>Fits <paramref name="family"/>'s curve on <paramref name="points"/> (at least one).</summary>
    public static EfficiencyCurve Fit(string family, IReadOnlyList<CurvePoint> points, double peakFlopsPerSecond, double bandwidthBytesPerSecond, double launchSeconds)
    {
        if (points.Count == 0) throw new ArgumentException($"no points to fit family {family}", nameof(points));
        var n = points.Count;
        var x1 = new double[n];
        var x2 = new double[n];
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            var p = points[i];
            var roofline = RooflineSeconds(p.Flops, p.Bytes, peakFlopsPerSecond, bandwidthBytesPerSecond);
            x1[i] = EfficiencyCurve.IntensityCoordinate(p.Flops, p.Bytes);
            x2[i] = EfficiencyCurve.SizeCoordinate(roofline);
            y[i] = Math.Log(Efficiency(p, peakFlopsPerSecond, bandwidthBytesPerSecond, launchSeconds));
        }
        var k1 = Knots(x1, MaxIntensityKnots);
        var k2 = Knots(x2, MaxSizeKnots);
        var columns = k1.Length + k2.Length - 1; // the size curve's first knot is fixed at factor 1
        var a = Matrix<double>.Build.Dense(n, columns);
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < k1.Length; j++) a[i, j] = Hat(k1, j, x1[i]);
            for (var j = 1; j < k2.Length; j++) a[i, k1.Length + j - 1] = Hat(k2, j, x2[i]);
        }
        var normal = a.TransposeThisAndMultiply(a);
        for (var j = k1.Length; j < columns; j++) normal[j, j] += RidgePerPoint * n;
        var c = normal.Solve(a.TransposeThisAndMultiply(Vector<double>.Build.DenseOfArray(y)));
        var intensity = k1.Select((x, j) => new CurveKnot(x, Clamp(Math.Exp(c[j])))).ToArray();
        var size = k2.Select((x, j) => new CurveKnot(x, j == 0 ? 1.0 : Clamp(Math.Exp(c[k1.Length + j - 1])))).ToArray();
        return new EfficiencyCurve
        {
            Family = family,
            Intensity = new PiecewiseLogCurve { Knots = intensity },
            Size = new PiecewiseLogCurve { Knots = size },
        };
    }

    private static double Clamp(double factor) => Math.Clamp(factor, 1e-6, CalibrationLoader.MaxFactor);

    /// <summary>Up to <paramref name="max"/> knots at quantiles of the distinct values (rounded to 1e-3 in log2).</summary>
    public static double[] Knots(IReadOnlyList<double> values, int max)
    {
        var distinct = values.Select(v => Math.Round(v, 3)).Distinct().Order().ToArray();
        if (distinct.Length <= max) return distinct;
        var knots = new double[max];
        for (var j = 0; j < max; j++) knots[j] = distinct[(int)Math.Round(j * (distinct.Length - 1) / (double)(max - 1))];
        return knots.Distinct().ToArray();
    }

    /// <summary>Piecewise-linear hat function of knot <paramref name="j"/> at <paramref name="x"/>, flat beyond the end knots.</summary>
    public static double Hat(double[] knots, int j, double x)
    {
        if (knots.Length == 1) return 1;
        if (x <= knots[0]) return j == 0 ? 1 : 0;
        if (x >= knots[^1]) return j == knots.Length - 1 ? 1 : 0;
        var k = knots[j];
        if (j > 0 && x >= knots[j - 1] && x <= k) return (x - knots[j - 1]) / (k - knots[j - 1]);
        if (j < knots.Length - 1 && x >= k && x <= knots[j + 1]) return (knots[j + 1] - x) / (knots[j + 1] - k);
        return 0;
    }
}
