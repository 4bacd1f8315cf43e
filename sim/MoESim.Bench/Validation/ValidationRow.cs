namespace MoESim.Bench.Validation;

/// <summary>
/// One benchmarked case with its measured and predicted time, seconds, and the spread of its
/// repeated timings ((p90 − p10) / median × 100, 0 when unknown): the noise floor of its error.
/// </summary>
public sealed record ValidationRow(string Family, string Variant, string Shape, bool Fit, bool Composite, double MeasuredSeconds, double PredictedSeconds, double SpreadPercent = 0)
{
    /// <summary>|predicted − measured| / measured × 100.</summary>
    public double AbsolutePercentError => Math.Abs(PredictedSeconds - MeasuredSeconds) / MeasuredSeconds * 100;

    /// <summary>"fit", "held-out" or "composite (held-out)".</summary>
    public string Subset => Composite ? "composite (held-out)" : Fit ? "fit" : "held-out";
}
