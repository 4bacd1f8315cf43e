namespace MoESim.Bench.Suite;

/// <summary>Median and spread of repeated timings, seconds.</summary>
public readonly record struct TimingStatistics(double MedianSeconds, double P10Seconds, double P90Seconds, int Repetitions)
{
    /// <summary>Percentiles by linear interpolation between order statistics (R-7, as spreadsheets use).</summary>
    public static TimingStatistics From(IReadOnlyList<double> seconds)
    {
        if (seconds.Count == 0) throw new ArgumentException("no timings", nameof(seconds));
        var sorted = seconds.Order().ToArray();
        return new TimingStatistics(Percentile(sorted, 0.5), Percentile(sorted, 0.1), Percentile(sorted, 0.9), sorted.Length);
    }

    /// <summary>The <paramref name="q"/>-quantile (0..1) of ascending <paramref name="sorted"/>.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double q)
    {
        var h = (sorted.Count - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
