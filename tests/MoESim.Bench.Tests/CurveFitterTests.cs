using MoESim.Bench.Calibration;
using MoESim.Hardware.Calibration;

namespace MoESim.Bench.Tests;

/// <summary>Calibration recovers known synthetic efficiency curves from times generated with them.</summary>
[TestFixture]
public sealed class CurveFitterTests
{
    private const double Peak = 1e12;     // FLOP/s
    private const double Bandwidth = 1e11; // B/s
    private const double Launch = 5e-6;    // s

    /// <summary>Times a kernel of given intensity takes when its efficiency is <paramref name="efficiency"/>.</summary>
    private static CurvePoint Point(double intensity, double bytes, Func<double, double> efficiency)
    {
        var flops = intensity * bytes;
        var roofline = Math.Max(flops / Peak, bytes / Bandwidth);
        return new CurvePoint(flops, bytes, 1, roofline / efficiency(intensity) + Launch);
    }

    [Test]
    public void PiecewiseLogLinearCurve_IsRecoveredExactlyAtItsKnots()
    {
        // ln(efficiency) linear in log2(intensity) between knots at 1, 8, 64 FLOP/B: 0.2 → 0.6 → 0.9.
        var truth = new PiecewiseLogCurve { Knots = new[] { new CurveKnot(0, 0.2), new CurveKnot(3, 0.6), new CurveKnot(6, 0.9) } };
        var points = new[] { 1.0, 2, 4, 8, 16, 32, 64 }.Select(i => Point(i, 1e8, x => truth.FactorAt(Math.Log2(x)))).ToList();
        var curve = CurveFitter.Fit("gemm", points, Peak, Bandwidth, Launch);
        foreach (var intensity in new[] { 1.0, 3, 8, 20, 64 })
        {
            var flops = intensity * 1e8;
            var roofline = Math.Max(flops / Peak, 1e8 / Bandwidth);
            Assert.That(curve.EfficiencyFor(flops, 1e8, roofline), Is.EqualTo(truth.FactorAt(Math.Log2(intensity))).Within(1).Percent, $"intensity {intensity}");
        }
    }

    [Test]
    public void SaturatingCurve_IsApproximatedWithinFivePercent()
    {
        static double Saturating(double i) => 0.85 * i / (i + 4);
        var intensities = Enumerable.Range(0, 13).Select(k => Math.Pow(2, k * 0.75)).ToList();
        var points = intensities.Select(i => Point(i, 1e8, Saturating)).ToList();
        var curve = CurveFitter.Fit("swiglu_ffn", points, Peak, Bandwidth, Launch);
        foreach (var p in points)
        {
            var roofline = Math.Max(p.Flops / Peak, p.Bytes / Bandwidth);
            Assert.That(curve.EfficiencyFor(p.Flops, p.Bytes, roofline), Is.EqualTo(Saturating(p.Flops / p.Bytes)).Within(5).Percent);
        }
    }

    [Test]
    public void SizeDependentStreamingEfficiency_IsRecovered()
    {
        // Pure data movement: efficiency rises with size (small transfers cannot fill the device).
        static double BySize(double bytes) => 0.9 * bytes / (bytes + 4e6);
        var sizes = Enumerable.Range(0, 9).Select(k => 1e5 * Math.Pow(4, k)).ToList();
        var points = sizes.Select(b => new CurvePoint(0, b, 1, b / Bandwidth / BySize(b) + Launch)).ToList();
        var curve = CurveFitter.Fit("stream", points, Peak, Bandwidth, Launch);
        // Five size knots over nine points: the steep part between knots is interpolated (6-12% off there).
        foreach (var b in sizes)
            Assert.That(curve.EfficiencyFor(0, b, b / Bandwidth), Is.EqualTo(BySize(b)).Within(15).Percent, $"{b} bytes");
    }

    [Test]
    public void HatFunctions_SumToOneAndAreFlatOutside()
    {
        var knots = new[] { -2.0, 0, 3, 7 };
        foreach (var x in new[] { -5.0, -2, -1, 0, 1.5, 3, 5, 7, 9 })
            Assert.That(Enumerable.Range(0, knots.Length).Sum(j => CurveFitter.Hat(knots, j, x)), Is.EqualTo(1).Within(1e-12), $"x = {x}");
        Assert.That(CurveFitter.Hat(knots, 0, -9), Is.EqualTo(1));
        Assert.That(CurveFitter.Hat(knots, 3, 12), Is.EqualTo(1));
        Assert.That(CurveFitter.Hat(knots, 1, 1.5), Is.EqualTo(0.5).Within(1e-12));
    }
}
