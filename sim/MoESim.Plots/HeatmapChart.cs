using ScottPlot;

namespace MoESim.Plots;

/// <summary>Matrix heatmap with a labelled colour bar and row/column labels.</summary>
public static class HeatmapChart
{
    private const int AutoCellValuesMaxSide = 16;

    /// <summary>
    /// Validates <paramref name="data"/> (throws <see cref="ArgumentException"/>) and writes
    /// <c>pathWithoutExtension</c>.png and .svg at the given size in pixels.
    /// </summary>
    public static ChartFilePaths Save(
        HeatmapChartData data, string pathWithoutExtension,
        int widthPx = ChartFiles.DefaultWidthPx, int heightPx = ChartFiles.DefaultHeightPx)
    {
        Plot plot = Build(data, widthPx, heightPx);
        return ChartFiles.Save(plot, pathWithoutExtension, widthPx, heightPx, requireText: true);
    }

    /// <summary>Builds the plot without writing files; the size in pixels decides label thinning and text size.</summary>
    public static Plot Build(HeatmapChartData data, int widthPx = ChartFiles.DefaultWidthPx, int heightPx = ChartFiles.DefaultHeightPx)
    {
        Validate(data);
        int rows = data.Values.GetLength(0);
        int columns = data.Values.GetLength(1);
        Plot plot = ChartStyle.Create(data.Title, data.XAxisLabel, data.YAxisLabel);

        ScottPlot.Plottables.Heatmap heatmap = plot.Add.Heatmap(data.Values);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.NaNCellColor = Colors.LightGray;
        // ScottPlot's defaults are what we want: unit cells centred on integers, cell (r, c) at
        // x = c, y = rows-1-r (row 0 on top, as matrices are written). Setting Position or
        // CellWidth in 5.1.59 shifts or stretches the cells away from those centres, so don't.

        ScottPlot.Panels.ColorBar colorBar = plot.Add.ColorBar(heatmap, Edge.Right);
        colorBar.Label = data.ColorBarLabel;
        colorBar.LabelStyle.FontSize = ChartStyle.AxisLabelFontSize;
        colorBar.Axis.TickLabelStyle.FontSize = ChartStyle.TickFontSize;

        double[] columnPositions = Enumerable.Range(0, columns).Select(c => (double)c).ToArray();
        double[] rowPositions = Enumerable.Range(0, rows).Select(r => (double)(rows - 1 - r)).ToArray();
        // Roughly the data area left after axes, title and colour bar.
        int dataWidthPx = Math.Max(200, widthPx - 330);
        int dataHeightPx = Math.Max(200, heightPx - 170);
        CategoryTicks.Apply(plot.Axes.Bottom, columnPositions, data.ColumnLabels, maxLabels: 32, dataWidthPx);
        CategoryTicks.Apply(plot.Axes.Left, rowPositions, data.RowLabels, maxLabels: Math.Max(2, dataHeightPx / 22), dataHeightPx);

        bool showValues = data.ShowCellValues ?? (rows <= AutoCellValuesMaxSide && columns <= AutoCellValuesMaxSide);
        if (showValues)
            AddCellValues(plot, data.Values, Math.Min(dataWidthPx / (double)columns, dataHeightPx / (double)rows));

        plot.HideGrid();
        plot.HideLegend();
        plot.Axes.SetLimits(-0.5, columns - 0.5, -0.5, rows - 0.5);
        return plot;
    }

    private static void AddCellValues(Plot plot, double[,] values, double cellPx)
    {
        int rows = values.GetLength(0), columns = values.GetLength(1);
        double min = double.MaxValue, max = double.MinValue;
        foreach (double v in values)
        {
            if (double.IsFinite(v))
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }

        // Text that fits the cell: about a quarter of its size, never bigger than annotations.
        float fontSize = (float)Math.Clamp(cellPx / 4, 8, ChartStyle.AnnotationFontSize);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                double v = values[r, c];
                if (!double.IsFinite(v))
                    continue;
                ScottPlot.Plottables.Text text = plot.Add.Text(ChartStyle.Compact(v), c, rows - 1 - r);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontSize = fontSize;
                // Viridis is dark at the low end and light at the top: switch text colour for contrast.
                double fraction = max > min ? (v - min) / (max - min) : 0;
                text.LabelFontColor = fraction < 0.6 ? Colors.White : Colors.Black;
            }
        }
    }

    private static void Validate(HeatmapChartData data)
    {
        const string param = nameof(data);
        ArgumentNullException.ThrowIfNull(data);
        ChartDataValidation.RequireText(data.Title, "Title", param);
        ChartDataValidation.RequireText(data.XAxisLabel, "XAxisLabel", param);
        ChartDataValidation.RequireText(data.YAxisLabel, "YAxisLabel", param);
        ChartDataValidation.RequireText(data.ColorBarLabel, "ColorBarLabel", param);
        if (data.Values is null || data.Values.Length == 0)
            throw new ArgumentException("The heatmap matrix is empty: it needs at least one row and one column.", param);
        int rows = data.Values.GetLength(0), columns = data.Values.GetLength(1);
        if (data.RowLabels is null || data.RowLabels.Count != rows)
            throw new ArgumentException(
                $"The matrix has {rows} rows but {data.RowLabels?.Count ?? 0} row labels; they must match.", param);
        if (data.ColumnLabels is null || data.ColumnLabels.Count != columns)
            throw new ArgumentException(
                $"The matrix has {columns} columns but {data.ColumnLabels?.Count ?? 0} column labels; they must match.", param);
        bool anyFinite = false;
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                double v = data.Values[r, c];
                if (double.IsInfinity(v))
                    throw new ArgumentException(
                        $"Cell [{r}, {c}] (row '{data.RowLabels[r]}', column '{data.ColumnLabels[c]}') is infinite.", param);
                anyFinite |= double.IsFinite(v);
            }
        }

        if (!anyFinite)
            throw new ArgumentException("Every heatmap cell is NaN: there is nothing to colour.", param);
    }
}
