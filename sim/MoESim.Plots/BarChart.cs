using ScottPlot;

namespace MoESim.Plots;

/// <summary>Grouped bar chart, e.g. per-device load for each placement strategy.</summary>
public static class BarChart
{
    // Fraction of a category slot the bars of all groups occupy; the rest separates categories.
    private const double GroupWidth = 0.8;

    /// <summary>
    /// Validates <paramref name="data"/> (throws <see cref="ArgumentException"/> naming the bad
    /// group) and writes <c>pathWithoutExtension</c>.png and .svg at the given size in pixels.
    /// </summary>
    public static ChartFilePaths Save(
        BarChartData data, string pathWithoutExtension,
        int widthPx = ChartFiles.DefaultWidthPx, int heightPx = ChartFiles.DefaultHeightPx)
    {
        Plot plot = Build(data, widthPx);
        return ChartFiles.Save(plot, pathWithoutExtension, widthPx, heightPx, requireText: true);
    }

    /// <summary>Builds the plot without writing files; the width in pixels decides label thinning and rotation.</summary>
    public static Plot Build(BarChartData data, int widthPx = ChartFiles.DefaultWidthPx)
    {
        Validate(data);
        Plot plot = ChartStyle.Create(data.Title, data.CategoryAxisLabel, data.ValueAxisLabel);
        int groups = data.Groups.Count;
        int categories = data.Categories.Count;
        double barWidth = GroupWidth / groups;
        List<Bar> bars = [];
        for (int g = 0; g < groups; g++)
        {
            Color color = ChartStyle.SeriesColor(g, groups);
            for (int c = 0; c < categories; c++)
            {
                double value = data.Groups[g].Values[c];
                bars.Add(new Bar
                {
                    Position = c + (g - (groups - 1) / 2.0) * barWidth,
                    Value = value,
                    Size = barWidth * 0.92,
                    FillColor = color,
                    LineWidth = 0,
                    Label = data.ShowValueLabels ? ChartStyle.Compact(value) : string.Empty,
                });
            }
        }

        ScottPlot.Plottables.BarPlot barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = ChartStyle.AnnotationFontSize - 2;

        double[] positions = Enumerable.Range(0, categories).Select(i => (double)i).ToArray();
        // Legend and y axis take roughly 350 px of the width when there are several groups.
        int axisLengthPx = Math.Max(200, widthPx - (groups > 1 ? 350 : 150));
        CategoryTicks.Apply(plot.Axes.Bottom, positions, data.Categories, maxLabels: 40, axisLengthPx);
        plot.Grid.XAxisStyle.IsVisible = false;

        // Bars grow from zero: keep zero on the axis, with headroom for value labels.
        double min = Math.Min(0, data.Groups.Min(g => g.Values.Min()));
        double max = Math.Max(0, data.Groups.Max(g => g.Values.Max()));
        if (min == 0 && max == 0)
            max = 1;
        double headroom = (max - min) * (data.ShowValueLabels ? 0.1 : 0.05);
        plot.Axes.SetLimits(-0.6, categories - 0.4, min < 0 ? min - headroom : 0, max > 0 ? max + headroom : 0);

        if (groups > 1)
        {
            for (int g = 0; g < groups; g++)
            {
                plot.Legend.ManualItems.Add(new LegendItem
                {
                    LabelText = data.Groups[g].Name,
                    FillColor = ChartStyle.SeriesColor(g, groups),
                });
            }

            plot.ShowLegend(Edge.Right);
        }
        else
        {
            plot.HideLegend();
        }

        return plot;
    }

    private static void Validate(BarChartData data)
    {
        const string param = nameof(data);
        ArgumentNullException.ThrowIfNull(data);
        ChartDataValidation.RequireText(data.Title, "Title", param);
        ChartDataValidation.RequireText(data.CategoryAxisLabel, "CategoryAxisLabel", param);
        ChartDataValidation.RequireText(data.ValueAxisLabel, "ValueAxisLabel", param);
        if (data.Categories is null || data.Categories.Count == 0)
            throw new ArgumentException("A bar chart needs at least one category.", param);
        if (data.Categories.Any(string.IsNullOrWhiteSpace))
            throw new ArgumentException("Category names must not be empty.", param);
        if (data.Groups is null || data.Groups.Count == 0)
            throw new ArgumentException("A bar chart needs at least one group.", param);
        HashSet<string> names = [];
        foreach (BarGroup group in data.Groups)
        {
            ChartDataValidation.RequireText(group?.Name, "Every group's Name", param);
            if (group!.Values is null || group.Values.Length != data.Categories.Count)
                throw new ArgumentException(
                    $"Group '{group.Name}' has {group.Values?.Length ?? 0} values but there are " +
                    $"{data.Categories.Count} categories; they must match.", param);
            ChartDataValidation.RequireValues(group.Name, "value", group.Values, log: false, param);
            if (!names.Add(group.Name))
                throw new ArgumentException($"Group name '{group.Name}' is used twice.", param);
        }
    }
}
