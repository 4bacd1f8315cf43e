using MoESim.Metrics;

namespace MoESim.Plots;

/// <summary>The over-time charts of a serving run: throughput, latency and utilisation.</summary>
public static class ServingCharts
{
    /// <summary>Writes throughput_over_time, latency_over_time and utilisation_over_time (PNG and SVG) into <paramref name="folder"/>.</summary>
    public static IReadOnlyList<ChartFilePaths> Save(IReadOnlyList<TimeSeriesPoint> points, string title, string folder)
    {
        var t = points.Select(p => p.TimeSeconds).ToArray();
        var files = new List<ChartFilePaths>
        {
            LineChart.Save(new LineChartData
            {
                Title = $"Throughput over time: {title}",
                XAxisLabel = "Simulated time (s)",
                YAxisLabel = "Throughput (tokens/s)",
                Series = new[]
                {
                    Series("Output tokens/s", t, points.Select(p => p.OutputTokensPerSecond)),
                    Series("Prompt tokens/s", t, points.Select(p => p.PromptTokensPerSecond)),
                },
            }, Path.Combine(folder, "throughput_over_time")),
        };
        var latency = new[]
        {
            Series("Mean TTFT (first tokens in window)", t, points.Select(p => p.MeanTtftSeconds * 1e3)),
            Series("Mean TPOT (requests finishing in window)", t, points.Select(p => p.MeanTpotSeconds * 1e3)),
        }.Where(s => s.Xs.Length > 0).ToArray();
        if (latency.Length > 0)
        {
            files.Add(LineChart.Save(new LineChartData
            {
                Title = $"Latency over time: {title}",
                XAxisLabel = "Simulated time (s)",
                YAxisLabel = "Latency (ms)",
                Series = latency,
                LogY = latency.All(s => s.Ys.All(y => y > 0)),
            }, Path.Combine(folder, "latency_over_time")));
        }
        files.Add(LineChart.Save(UtilisationChart(points, title), Path.Combine(folder, "utilisation_over_time")));
        return files;
    }

    /// <summary>Busy, compute, bandwidth and KV-cache fractions over time, on a 0..1 axis.</summary>
    internal static LineChartData UtilisationChart(IReadOnlyList<TimeSeriesPoint> points, string title)
    {
        var t = points.Select(p => p.TimeSeconds).ToArray();
        return new LineChartData
        {
            Title = $"Utilisation over time: {title}",
            XAxisLabel = "Simulated time (s)",
            YAxisLabel = "Fraction of peak or capacity",
            Series = new[]
            {
                Series("Device busy", t, points.Select(p => p.DeviceBusyFraction)),
                Series("Compute (FLOP/s / peak)", t, points.Select(p => p.ComputeUtilization)),
                Series("Memory bandwidth (B/s / peak)", t, points.Select(p => p.MemoryBandwidthUtilization)),
                Series("KV cache reserved", t, points.Select(p => p.KvCacheFraction)),
            },
            YAxisRange = (0, 1),
        };
    }

    /// <summary>A line series without its non-finite points (windows with no sample).</summary>
    private static LineSeries Series(string name, double[] xs, IEnumerable<double> ys)
    {
        var pairs = xs.Zip(ys).Where(p => double.IsFinite(p.Second)).ToArray();
        return new LineSeries { Name = name, Xs = pairs.Select(p => p.First).ToArray(), Ys = pairs.Select(p => p.Second).ToArray() };
    }
}
