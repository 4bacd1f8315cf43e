using MathNet.Numerics.Statistics;

namespace MoESim.Metrics;

/// <summary>Mean and percentiles of a latency sample, seconds. NaN when the sample is empty.</summary>
public sealed record LatencySummary
{
    public required int Count { get; init; }
    public required double MeanSeconds { get; init; }
    public required double P50Seconds { get; init; }
    public required double P90Seconds { get; init; }
    public required double P99Seconds { get; init; }
    public required double MaxSeconds { get; init; }

    /// <summary>
    /// Summarises <paramref name="samples"/> (NaNs ignored). Percentiles use the R-7 definition
    /// (linear interpolation, NumPy's default) via Math.NET, so they can be cross-checked.
    /// </summary>
    public static LatencySummary Of(IEnumerable<double> samples)
    {
        var data = samples.Where(double.IsFinite).ToArray();
        if (data.Length == 0)
            return new LatencySummary { Count = 0, MeanSeconds = double.NaN, P50Seconds = double.NaN, P90Seconds = double.NaN, P99Seconds = double.NaN, MaxSeconds = double.NaN };
        Array.Sort(data);
        return new LatencySummary
        {
            Count = data.Length,
            MeanSeconds = data.Mean(),
            P50Seconds = SortedArrayStatistics.QuantileCustom(data, 0.50, QuantileDefinition.R7),
            P90Seconds = SortedArrayStatistics.QuantileCustom(data, 0.90, QuantileDefinition.R7),
            P99Seconds = SortedArrayStatistics.QuantileCustom(data, 0.99, QuantileDefinition.R7),
            MaxSeconds = data[^1],
        };
    }
}
