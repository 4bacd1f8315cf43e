using ScottPlot;
using SkiaSharp;

namespace MoESim.Plots;

/// <summary>Text tick labels for categorical axes (bar categories, heatmap rows and columns).</summary>
internal static class CategoryTicks
{
    /// <summary>Width in pixels of a tick label drawn in the chart font at the tick font size.</summary>
    public static float MeasureTickLabel(string text)
    {
        using SKTypeface typeface = SKTypeface.FromFamilyName(FontCheck.EnsureFontAvailable());
        using SKFont font = new(typeface, ChartStyle.TickFontSize);
        return font.MeasureText(text);
    }

    /// <summary>
    /// Puts <paramref name="labels"/> at <paramref name="positions"/>, showing only every k-th one
    /// when there are more than <paramref name="maxLabels"/> (overlapping text is unreadable),
    /// and rotating long labels on a horizontal axis so neighbours do not collide.
    /// </summary>
    public static void Apply(IAxis axis, double[] positions, IReadOnlyList<string> labels, int maxLabels, int axisLengthPx)
    {
        int step = Math.Max(1, (int)Math.Ceiling(labels.Count / (double)maxLabels));
        List<double> shownPositions = [];
        List<string> shownLabels = [];
        for (int i = 0; i < labels.Count; i += step)
        {
            shownPositions.Add(positions[i]);
            shownLabels.Add(labels[i]);
        }

        if (axis is IXAxis x)
        {
            x.SetTicks(shownPositions.ToArray(), shownLabels.ToArray());
            float widestPx = shownLabels.Max(MeasureTickLabel);
            double slotPx = axisLengthPx / (double)Math.Max(1, shownLabels.Count);
            if (widestPx > slotPx * 0.9)
            {
                // Rotated so each label ends at its tick (reads bottom-left to top-right) and
                // never runs past the right edge of the figure.
                x.TickLabelStyle.Rotation = -45;
                x.TickLabelStyle.Alignment = Alignment.MiddleRight;
                // ScottPlot does not reserve height for rotated labels: reserve it here
                // (rotated label height + tick marks, padding and the axis title).
                x.MinimumSize = (float)((widestPx + ChartStyle.TickFontSize) * Math.Sqrt(0.5))
                    + ChartStyle.AxisLabelFontSize * 1.5f + 20;
            }
        }
        else if (axis is IYAxis y)
        {
            y.SetTicks(shownPositions.ToArray(), shownLabels.ToArray());
        }
    }
}
