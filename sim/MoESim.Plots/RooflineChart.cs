using ScottPlot;

namespace MoESim.Plots;

/// <summary>
/// Log-log roofline of one device: the memory-bandwidth slope, one flat compute roof per data
/// type, and operator points coloured by series with one marker shape per operator kind.
/// </summary>
public static class RooflineChart
{
    /// <summary>X axis label (unit FLOP/byte).</summary>
    public const string XAxisLabel = "Arithmetic intensity (FLOP/byte)";

    /// <summary>Y axis label (unit TFLOP/s).</summary>
    public const string YAxisLabel = "Attainable performance (TFLOP/s)";

    private const double FlopsPerTflop = 1e12;

    // Filled shapes first: they read best when colour carries the series.
    private static readonly MarkerShape[] KindShapes =
    [
        MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp,
        MarkerShape.FilledDiamond, MarkerShape.FilledTriangleDown, MarkerShape.Eks, MarkerShape.Cross,
        MarkerShape.Asterisk, MarkerShape.OpenCircle, MarkerShape.OpenSquare, MarkerShape.OpenTriangleUp,
        MarkerShape.OpenDiamond,
    ];

    /// <summary>
    /// Validates <paramref name="data"/> (throws <see cref="ArgumentException"/> naming the bad
    /// series or ceiling) and writes <c>pathWithoutExtension</c>.png and .svg at the given size in pixels.
    /// </summary>
    public static ChartFilePaths Save(
        RooflineChartData data, string pathWithoutExtension,
        int widthPx = ChartFiles.DefaultWidthPx, int heightPx = ChartFiles.DefaultHeightPx)
    {
        Plot plot = Build(data, widthPx, heightPx);
        return ChartFiles.Save(plot, pathWithoutExtension, widthPx, heightPx, requireText: true);
    }

    /// <summary>
    /// Builds the plot without writing files. The size in pixels is needed up front because the
    /// bandwidth label is rotated to follow the slope, whose on-screen angle depends on it.
    /// </summary>
    public static Plot Build(RooflineChartData data, int widthPx = ChartFiles.DefaultWidthPx, int heightPx = ChartFiles.DefaultHeightPx)
    {
        RooflineValidation.Validate(data);
        Plot plot = ChartStyle.Create($"Roofline: {data.ModelName} on {data.DeviceName}", XAxisLabel, YAxisLabel);

        double bandwidthTflopsPerIntensity = data.MemoryBandwidthBytesPerSecond / FlopsPerTflop;
        double logBandwidth = Math.Log10(bandwidthTflopsPerIntensity);
        RooflineCeiling[] ceilings = data.Ceilings.OrderByDescending(c => c.PeakFlopsPerSecond).ToArray();
        double maxPeak = ceilings[0].PeakFlopsPerSecond / FlopsPerTflop;
        double minPeak = ceilings[^1].PeakFlopsPerSecond / FlopsPerTflop;
        double maxRidge = maxPeak / bandwidthTflopsPerIntensity;
        double minRidge = minPeak / bandwidthTflopsPerIntensity;

        // Whole decades on both axes (the classic roofline look), wide enough to show every
        // point, the ridge points with room either side, and the roofs' labels.
        double minIntensity = Math.Min(minRidge / 30, MinOr(data.Points, p => p.ArithmeticIntensityFlopsPerByte, double.MaxValue));
        double maxIntensity = Math.Max(maxRidge * 30, MaxOr(data.Points, p => p.ArithmeticIntensityFlopsPerByte, 0));
        double minPerf = Math.Min(minPeak / 1000, MinOr(data.Points, p => p.AchievedFlopsPerSecond / FlopsPerTflop, double.MaxValue));
        double maxPerf = Math.Max(maxPeak * 2, MaxOr(data.Points, p => p.AchievedFlopsPerSecond / FlopsPerTflop, 0) * 2);
        double xLow = Math.Floor(Math.Log10(minIntensity)), xHigh = Math.Ceiling(Math.Log10(maxIntensity));
        double yLow = Math.Floor(Math.Log10(minPerf)), yHigh = Math.Ceiling(Math.Log10(maxPerf));

        // Memory slope: y = log10(bandwidth) + x, from the bottom-left edge to the highest ridge.
        double slopeStartX = Math.Max(xLow, yLow - logBandwidth);
        double slopeEndX = Math.Log10(maxRidge);
        ScottPlot.Plottables.LinePlot slope = plot.Add.Line(slopeStartX, logBandwidth + slopeStartX, slopeEndX, logBandwidth + slopeEndX);
        slope.LineWidth = 3;
        slope.LineColor = Colors.Black;

        LinePattern[] patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.DenselyDashed, LinePattern.Dotted];
        for (int i = 0; i < ceilings.Length; i++)
        {
            double peak = ceilings[i].PeakFlopsPerSecond / FlopsPerTflop;
            double y = Math.Log10(peak);
            ScottPlot.Plottables.LinePlot roof = plot.Add.Line(Math.Log10(peak / bandwidthTflopsPerIntensity), y, xHigh, y);
            roof.LineWidth = 3;
            roof.LineColor = Colors.Black.WithOpacity(0.8);
            roof.LinePattern = patterns[i % patterns.Length];
            AddLabel(plot, $"{ceilings[i].DataTypeName} peak {ChartStyle.Compact(peak)} TFLOP/s", xHigh, y, Alignment.LowerRight, 0);
        }

        // The operator markers come next: clear the last roof's dash from the shared paint so the
        // SVG canvas is not asked to dash an ellipse (see PathEffectReset).
        plot.Add.Plottable(new PathEffectReset());

        AddPoints(plot, data.Points);
        ChartStyle.UseLogTicks(plot.Axes.Bottom);
        ChartStyle.UseLogTicks(plot.Axes.Left);
        plot.Axes.SetLimits(xLow, xHigh, yLow, yHigh);
        // An empty legend panel makes ScottPlot 5.1.59 render a blank image: only show a filled one.
        if (data.Points.Count > 0)
            plot.ShowLegend(Edge.Right);
        else
            plot.HideLegend();

        // Label the slope a third of the way along, rotated to follow it on screen.
        double labelX = slopeStartX + (slopeEndX - slopeStartX) * 0.35;
        string bandwidthText = $"{data.MemoryName} {ChartStyle.Compact(bandwidthTflopsPerIntensity)} TB/s";
        ScottPlot.Plottables.Text slopeLabel = AddLabel(plot, bandwidthText, labelX, logBandwidth + labelX, Alignment.LowerCenter, 0);
        plot.RenderInMemory(widthPx, heightPx);
        Pixel a = plot.GetPixel(new Coordinates(slopeStartX, logBandwidth + slopeStartX));
        Pixel b = plot.GetPixel(new Coordinates(slopeEndX, logBandwidth + slopeEndX));
        slopeLabel.LabelRotation = (float)(Math.Atan2(b.Y - a.Y, b.X - a.X) * 180 / Math.PI);
        return plot;
    }

    private static ScottPlot.Plottables.Text AddLabel(Plot plot, string text, double x, double y, Alignment alignment, float rotation)
    {
        ScottPlot.Plottables.Text label = plot.Add.Text(text, x, y);
        label.LabelFontSize = ChartStyle.AnnotationFontSize + 1;
        label.LabelFontColor = Colors.Black;
        label.LabelAlignment = alignment;
        label.LabelRotation = rotation;
        // A few pixels clear of the line it labels (negative y is up on screen).
        label.LabelOffsetX = alignment == Alignment.LowerRight ? -6 : 0;
        label.LabelOffsetY = -4;
        return label;
    }

    private static void AddPoints(Plot plot, IReadOnlyList<RooflinePoint> points)
    {
        List<string> series = points.Select(p => p.Series).Distinct().ToList();
        List<string> kinds = points.Select(p => p.OperatorKind).Distinct().ToList();
        foreach (var group in points.GroupBy(p => (p.Series, p.OperatorKind)))
        {
            Color color = ChartStyle.SeriesColor(series.IndexOf(group.Key.Series), series.Count);
            MarkerShape shape = KindShapes[kinds.IndexOf(group.Key.OperatorKind) % KindShapes.Length];
            double[] xs = group.Select(p => Math.Log10(p.ArithmeticIntensityFlopsPerByte)).ToArray();
            double[] ys = group.Select(p => Math.Log10(p.AchievedFlopsPerSecond / FlopsPerTflop)).ToArray();
            ScottPlot.Plottables.Scatter scatter = plot.Add.ScatterPoints(xs, ys, color);
            StyleMarker(scatter.MarkerStyle, shape, color);
        }

        // One legend in two blocks (colour = series, shape = operator kind) instead of one entry
        // per series x kind pair, which would not stay readable with ~10 series and ~8 kinds.
        plot.Legend.ManualItems.Clear();
        if (points.Count == 0)
            return;
        plot.Legend.ManualItems.Add(Header("Series (colour)"));
        for (int i = 0; i < series.Count; i++)
        {
            LegendItem item = new() { LabelText = series[i] };
            StyleMarker(item.MarkerStyle, MarkerShape.FilledCircle, ChartStyle.SeriesColor(i, series.Count));
            plot.Legend.ManualItems.Add(item);
        }

        plot.Legend.ManualItems.Add(Header(" "));
        plot.Legend.ManualItems.Add(Header("Operator (shape)"));
        for (int i = 0; i < kinds.Count; i++)
        {
            LegendItem item = new() { LabelText = kinds[i] };
            StyleMarker(item.MarkerStyle, KindShapes[i % KindShapes.Length], Colors.DimGray);
            plot.Legend.ManualItems.Add(item);
        }
    }

    private static LegendItem Header(string text) => new() { LabelText = text, LabelBold = true };

    private static void StyleMarker(MarkerStyle style, MarkerShape shape, Color color)
    {
        style.Shape = shape;
        style.Size = 12;
        bool outlineOnly = shape is MarkerShape.Eks or MarkerShape.Cross or MarkerShape.Asterisk
            or MarkerShape.OpenCircle or MarkerShape.OpenSquare or MarkerShape.OpenTriangleUp or MarkerShape.OpenDiamond;
        style.FillColor = outlineOnly ? Colors.Transparent : color;
        // Filled markers get a thin dark rim so overlapping points stay distinguishable.
        style.LineColor = outlineOnly ? color : Colors.Black.WithOpacity(0.6);
        style.LineWidth = outlineOnly ? 2.5f : 1;
    }

    private static double MinOr(IReadOnlyList<RooflinePoint> points, Func<RooflinePoint, double> f, double empty) =>
        points.Count == 0 ? empty : points.Min(f);

    private static double MaxOr(IReadOnlyList<RooflinePoint> points, Func<RooflinePoint, double> f, double empty) =>
        points.Count == 0 ? empty : points.Max(f);
}
