namespace MoESim.Hardware.Calibration;

/// <summary>
/// A factor that varies piecewise-linearly in log space: ln(factor) is interpolated linearly
/// in log2(x) between knots and held flat beyond the first and last knot (no extrapolation:
/// a calibrated curve is only trusted inside the range it was fitted on).
/// </summary>
public sealed record PiecewiseLogCurve
{
    /// <summary>Knots in strictly increasing <see cref="CurveKnot.Log2X"/>; at least one.</summary>
    public required IReadOnlyList<CurveKnot> Knots { get; init; }

    /// <summary>A curve with one knot: the same factor everywhere.</summary>
    public static PiecewiseLogCurve Constant(double factor) => new() { Knots = new[] { new CurveKnot(0, factor) } };

    /// <summary>The factor at <paramref name="log2X"/> (any finite value; clamped to the knot range).</summary>
    public double FactorAt(double log2X)
    {
        var knots = Knots;
        if (log2X <= knots[0].Log2X) return knots[0].Factor;
        var last = knots[^1];
        if (log2X >= last.Log2X) return last.Factor;
        for (var i = 1; i < knots.Count; i++)
        {
            var right = knots[i];
            if (log2X > right.Log2X) continue;
            var left = knots[i - 1];
            var t = (log2X - left.Log2X) / (right.Log2X - left.Log2X);
            return Math.Exp((1 - t) * Math.Log(left.Factor) + t * Math.Log(right.Factor));
        }
        return last.Factor;
    }
}
