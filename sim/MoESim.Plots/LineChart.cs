using ScottPlot;

namespace MoESim.Plots;

/// <summary>
/// Multi-series line chart: throughput, latency percentiles or utilisation over time, capacity
/// curves. Optional log axes and a second y axis on the right.
/// </summary>
public static class LineChart
{
    // Above this many points markers turn into a smear, so automatic mode draws lines only.
    private const int AutoMarkerMaxPoints = 40;

    /// <summary>Margin added each side of a <see cref="LineChartData.YAxisRange"/>, as a fraction of the range.</summary>
    internal const double BoundPadFraction = 0.01;

    /// <summary>
    /// Validates <paramref name="data"/> (throws <see cref="ArgumentException"/> naming the bad
    /// series) and writes <c>pathWithoutExtension</c>.png and .svg at the given size in pixels.
    /// </summary>
    public static ChartFilePaths Save(
        LineChartData data, string pathWithoutExtension,
        int widthPx = ChartFiles.DefaultWidthPx, int heightPx = ChartFiles.DefaultHeightPx)
    {
        Plot plot = Build(data);
        return ChartFiles.Save(plot, pathWithoutExtension, widthPx, heightPx, requireText: true);
    }

    /// <summary>Validates <paramref name="data"/> and builds the plot without writing files.</summary>
    public static Plot Build(LineChartData data)
    {
        Validate(data);
        Plot plot = ChartStyle.Create(data.Title, data.XAxisLabel, data.YAxisLabel);
        int total = data.Series.Count + data.RightSeries.Count;
        int colourIndex = 0;
        foreach (LineSeries series in data.Series)
            AddSeries(plot, data, series, plot.Axes.Left, data.LogY, ChartStyle.SeriesColor(colourIndex++, total), false);

        if (data.RightSeries.Count > 0)
        {
            plot.Axes.Right.Label.Text = data.RightYAxisLabel!;
            plot.Axes.Right.Label.FontSize = ChartStyle.AxisLabelFontSize;
            plot.Axes.Right.TickLabelStyle.FontSize = ChartStyle.TickFontSize;
            foreach (LineSeries series in data.RightSeries)
                AddSeries(plot, data, series, plot.Axes.Right, data.LogRightY, ChartStyle.SeriesColor(colourIndex++, total), true);
        }

        if (data.IntegerX)
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (data.LogX)
            ApplyLogAxis(plot, plot.Axes.Bottom, data.Series.Concat(data.RightSeries).SelectMany(s => s.Xs));
        if (data.LogY)
            ApplyLogAxis(plot, plot.Axes.Left, data.Series.SelectMany(s => s.Ys));
        if (data.YAxisRange is { } range)
            PinAxis(plot, plot.Axes.Left, range, data.Series.SelectMany(s => s.Ys));
        if (data.RightYAxisRange is { } rightRange && data.RightSeries.Count > 0)
            PinAxis(plot, plot.Axes.Right, rightRange, data.RightSeries.SelectMany(s => s.Ys));
        if (data.LogRightY && data.RightSeries.Count > 0)
            ApplyLogAxis(plot, plot.Axes.Right, data.RightSeries.SelectMany(s => s.Ys));

        // Outside the data area so the legend never hides a line; one series needs no legend.
        if (total > 1)
            plot.ShowLegend(Edge.Right);
        else
            plot.HideLegend();
        return plot;
    }

    private static void AddSeries(
        Plot plot, LineChartData data, LineSeries series, IYAxis yAxis, bool logY, Color color, bool right)
    {
        double[] xs = data.LogX ? ChartDataValidation.Log10(series.Xs) : series.Xs;
        double[] ys = logY ? ChartDataValidation.Log10(series.Ys) : series.Ys;
        ScottPlot.Plottables.Scatter scatter = plot.Add.Scatter(xs, ys, color);
        scatter.Axes.YAxis = yAxis;
        scatter.LineWidth = 2.5f;
        bool markers = data.ShowMarkers ?? series.Xs.Length <= AutoMarkerMaxPoints;
        scatter.LegendText = right ? series.Name + " (right axis)" : series.Name;
        if (!right && !series.Dashed)
        {
            StyleMarkers(scatter, markers, series.Marker);
            return;
        }

        // Dashed lines tell right-axis and reference series apart even in greyscale prints
        // (Skia's SVG canvas writes each dash as its own filled outline). ScottPlot draws a
        // scatter's markers with its line's paint, dash effect included, which Skia's SVG canvas
        // cannot apply to an ellipse ("Unsupported path effect in addPaint." on stderr per
        // marker). So the markers are a second plottable with no legend entry, drawn after the
        // paint is reset; the legend sample shows the dashed line alone.
        scatter.LinePattern = LinePattern.DenselyDashed;
        scatter.MarkerSize = 0;
        plot.Add.Plottable(new PathEffectReset());
        if (markers && series.Marker != SeriesMarker.None)
        {
            ScottPlot.Plottables.Scatter points = plot.Add.ScatterPoints(xs, ys, color);
            points.Axes.YAxis = yAxis;
            StyleMarkers(points, true, series.Marker);
        }
    }

    private static void StyleMarkers(ScottPlot.Plottables.Scatter scatter, bool visible, SeriesMarker marker)
    {
        // The open ring is larger than the filled dot so that a dot at the same point sits inside it.
        (scatter.MarkerShape, scatter.MarkerSize) = marker switch
        {
            SeriesMarker.OpenCircle => (MarkerShape.OpenCircle, visible ? 12f : 0f),
            SeriesMarker.None => (MarkerShape.None, 0f),
            _ => (MarkerShape.FilledCircle, visible ? 7f : 0f),
        };
        if (marker == SeriesMarker.OpenCircle)
            scatter.MarkerLineWidth = 2f;
    }

    // ScottPlot pads autoscaled limits by 10 %, which pushed a hit rate's axis to -5..105 %.
    // A bounded quantity gets its range plus a hair (BoundPadFraction): too little for the tick
    // generator to place a labelled tick beyond the range, enough that a line lying on the bound
    // (a device busy 100 % of the time) is not hidden under the frame. Data outside the range (a
    // bug upstream, or rounding) widens the axis, so nothing is ever clipped.
    private static void PinAxis(Plot plot, IYAxis axis, (double Low, double High) range, IEnumerable<double> values)
    {
        double low = range.Low, high = range.High;
        foreach (double v in values)
        {
            low = Math.Min(low, v);
            high = Math.Max(high, v);
        }

        double pad = BoundPadFraction * (high - low);
        plot.Axes.SetLimitsY(low - pad, high + pad, axis);
    }

    private static void ApplyLogAxis(Plot plot, IAxis axis, IEnumerable<double> values)
    {
        double[] all = values.ToArray();
        (double low, double high) = ChartStyle.LogLimits(all.Min(), all.Max());
        ChartStyle.UseLogTicks(axis);
        if (axis is IXAxis x)
            plot.Axes.SetLimitsX(low, high, x);
        else if (axis is IYAxis y)
            plot.Axes.SetLimitsY(low, high, y);
    }

    private static void Validate(LineChartData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        ChartDataValidation.RequireText(data.Title, "Title", nameof(data));
        ChartDataValidation.RequireText(data.XAxisLabel, "XAxisLabel", nameof(data));
        ChartDataValidation.RequireText(data.YAxisLabel, "YAxisLabel", nameof(data));
        if (data.Series is null || data.Series.Count == 0)
            throw new ArgumentException("A line chart needs at least one series.", nameof(data));
        foreach (LineSeries s in data.Series)
            ChartDataValidation.RequireSeries(s?.Name!, s?.Xs, s?.Ys, data.LogX, data.LogY, nameof(data));
        if (data.RightSeries is null)
            throw new ArgumentException("RightSeries must not be null (use an empty list).", nameof(data));
        foreach (LineSeries s in data.RightSeries)
            ChartDataValidation.RequireSeries(s?.Name!, s?.Xs, s?.Ys, data.LogX, data.LogRightY, nameof(data));
        if (data.YAxisRange is { } range && !(double.IsFinite(range.Low) && double.IsFinite(range.High) && range.Low < range.High))
            throw new ArgumentException($"YAxisRange ({range.Low}, {range.High}) needs finite Low < High.", nameof(data));
        if (data.IntegerX && data.LogX)
            throw new ArgumentException("IntegerX cannot be combined with LogX.", nameof(data));
        if (data.RightYAxisRange is { } right && !(double.IsFinite(right.Low) && double.IsFinite(right.High) && right.Low < right.High))
            throw new ArgumentException($"RightYAxisRange ({right.Low}, {right.High}) needs finite Low < High.", nameof(data));
        if (data.RightYAxisRange is not null && data.LogRightY)
            throw new ArgumentException("RightYAxisRange cannot be combined with LogRightY.", nameof(data));
        if (data.YAxisRange is not null && data.LogY)
            throw new ArgumentException("YAxisRange cannot be combined with LogY (a bounded range such as 0..100 includes 0).", nameof(data));
        if (data.RightSeries.Count > 0)
            ChartDataValidation.RequireText(data.RightYAxisLabel, "RightYAxisLabel (needed for RightSeries)", nameof(data));
        HashSet<string> names = [];
        foreach (LineSeries s in data.Series.Concat(data.RightSeries))
        {
            if (!names.Add(s.Name))
                throw new ArgumentException($"Series name '{s.Name}' is used twice; legend entries must be unique.", nameof(data));
        }
    }
}
