using ScottPlot;

namespace MoESim.Plots;

/// <summary>
/// Predicted vs measured kernel time, log-log: the y = x line, a ±band (default ±10%), one
/// colour per kernel family, filled markers for fitted cases and open markers for held-out ones.
/// </summary>
public static class ParityChart
{
    public const string XAxisLabel = "Measured time (s)";
    public const string YAxisLabel = "Predicted time (s)";

    /// <summary>Validates <paramref name="data"/> (throws <see cref="ArgumentException"/>) and writes PNG and SVG.</summary>
    public static ChartFilePaths Save(ParityChartData data, string pathWithoutExtension,
        int widthPx = ChartFiles.DefaultWidthPx, int heightPx = ChartFiles.DefaultHeightPx) =>
        ChartFiles.Save(Build(data), pathWithoutExtension, widthPx, heightPx, requireText: true);

    /// <summary>Builds the plot without writing files.</summary>
    public static Plot Build(ParityChartData data)
    {
        Validate(data);
        var plot = ChartStyle.Create(data.Title, XAxisLabel, YAxisLabel);
        var all = data.Points.SelectMany(p => new[] { p.MeasuredSeconds, p.PredictedSeconds }).ToArray();
        var (low, high) = ChartStyle.LogLimits(all.Min(), all.Max());

        var band = Math.Log10(1 + data.BandFraction);
        var bandLow = Math.Log10(1 - data.BandFraction);
        // The band is drawn as its two edges, in solid lines told apart by colour and width:
        // Skia's SVG canvas drops a filled polygon's paint, and a dashed line here would need
        // the PathEffectReset that LineChart uses before the markers that follow it.
        foreach (var offset in new[] { band, bandLow })
        {
            var edge = plot.Add.Line(low, low + offset, high, high + offset);
            edge.Color = Colors.Gray.WithOpacity(0.7);
            edge.LineWidth = 1f;
            edge.LegendText = offset > 0 ? $"±{data.BandFraction:P0} band" : string.Empty;
        }
        var diagonal = plot.Add.Line(low, low, high, high);
        diagonal.Color = Colors.Black;
        diagonal.LineWidth = 1.5f;
        diagonal.LegendText = "y = x";

        var families = data.Points.Select(p => p.Family).Distinct().Order(StringComparer.Ordinal).ToList();
        for (var f = 0; f < families.Count; f++)
        {
            var color = ChartStyle.SeriesColor(f, families.Count);
            foreach (var heldOut in new[] { false, true })
            {
                var pts = data.Points.Where(p => p.Family == families[f] && p.HeldOut == heldOut).ToList();
                if (pts.Count == 0) continue;
                var scatter = plot.Add.ScatterPoints(
                    pts.Select(p => Math.Log10(p.MeasuredSeconds)).ToArray(), pts.Select(p => Math.Log10(p.PredictedSeconds)).ToArray(), color);
                scatter.MarkerShape = heldOut ? MarkerShape.OpenCircle : MarkerShape.FilledCircle;
                scatter.MarkerSize = heldOut ? 10 : 8;
                scatter.MarkerLineWidth = 2;
                scatter.LegendText = $"{families[f]} ({(heldOut ? "held out" : "fit")})";
            }
        }
        ChartStyle.UseLogTicks(plot.Axes.Bottom);
        ChartStyle.UseLogTicks(plot.Axes.Left);
        plot.Axes.SetLimits(low, high, low, high);
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static void Validate(ParityChartData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ChartDataValidation.RequireText(data.Title, "Title", nameof(data));
        if (data.Points is null || data.Points.Count == 0) throw new ArgumentException("A parity chart needs at least one point.", nameof(data));
        foreach (var p in data.Points)
        {
            if (!(p.MeasuredSeconds > 0) || !(p.PredictedSeconds > 0) || !double.IsFinite(p.MeasuredSeconds) || !double.IsFinite(p.PredictedSeconds))
                throw new ArgumentException($"Point of '{p.Family}' needs finite positive times (log axes), got {p.MeasuredSeconds} and {p.PredictedSeconds}.", nameof(data));
        }
        if (!(data.BandFraction is > 0 and < 1)) throw new ArgumentException("BandFraction must be in (0, 1).", nameof(data));
    }
}
