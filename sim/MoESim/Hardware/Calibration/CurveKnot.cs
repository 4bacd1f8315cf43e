namespace MoESim.Hardware.Calibration;

/// <summary>
/// One knot of a piecewise-linear curve: at <see cref="Log2X"/> (log2 of the curve's input)
/// the curve's multiplicative efficiency factor is <see cref="Factor"/> (&gt; 0).
/// </summary>
public readonly record struct CurveKnot(double Log2X, double Factor);
