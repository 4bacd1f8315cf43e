namespace MoESim.Plots;

/// <summary>One case on a parity plot: measured and predicted time in seconds (both &gt; 0).</summary>
public sealed record ParityPoint(string Family, double MeasuredSeconds, double PredictedSeconds, bool HeldOut);
