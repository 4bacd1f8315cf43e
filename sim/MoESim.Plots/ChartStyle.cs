using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace MoESim.Plots;

/// <summary>Shared look of every chart: font, sizes in pixels, colours and log-axis ticks.</summary>
internal static class ChartStyle
{
    // Sized for 1200x800 images shown at half size in reports: still legible there.
    public const float TitleFontSize = 26;
    public const float AxisLabelFontSize = 20;
    public const float TickFontSize = 16;
    public const float LegendFontSize = 16;
    public const float AnnotationFontSize = 15;

    /// <summary>Creates a plot with the checked font, title and axis labels applied.</summary>
    public static Plot Create(string title, string xLabel, string yLabel)
    {
        string font = FontCheck.EnsureFontAvailable();
        Plot plot = new();
        // ScottPlot's own default is the first family Skia lists (a serif face here): pin ours.
        plot.Font.Set(font);
        plot.Legend.FontName = font;
        plot.Legend.FontSize = LegendFontSize;
        plot.Title(title, TitleFontSize);
        plot.XLabel(xLabel, AxisLabelFontSize);
        plot.YLabel(yLabel, AxisLabelFontSize);
        foreach (IAxis axis in plot.Axes.GetAxes())
        {
            axis.TickLabelStyle.FontSize = TickFontSize;
            axis.Label.FontSize = AxisLabelFontSize;
        }

        // Room on the right for the last x tick label when no legend or right axis sits there.
        plot.Axes.Right.MinimumSize = 40;
        plot.Grid.MajorLineColor = Colors.Black.WithOpacity(0.12);
        return plot;
    }

    /// <summary>Colour of series <paramref name="index"/> out of <paramref name="count"/>.</summary>
    public static Color SeriesColor(int index, int count)
    {
        // Category10 is the most distinguishable; beyond 10 series fall back to a 25-colour set.
        IPalette palette = count <= 10 ? new ScottPlot.Palettes.Category10() : new ScottPlot.Palettes.Tsitsulin();
        return palette.GetColor(index);
    }

    /// <summary>Label for the decade 10^<paramref name="exponent"/>: plain numbers near 1, powers beyond.</summary>
    public static string DecadeLabel(int exponent)
    {
        if (exponent is >= -2 and <= 3)
            return Math.Pow(10, exponent).ToString("0.###", CultureInfo.InvariantCulture);
        return "10" + Superscript(exponent);
    }

    /// <summary>
    /// Turns an axis whose coordinates are log10 of the data into a readable log axis: major
    /// ticks only at whole decades, minor ticks at 2..9, labels showing the real value.
    /// ScottPlot 5 has no true log axis, so callers plot log10 values and use this.
    /// </summary>
    public static void UseLogTicks(IAxis axis)
    {
        axis.TickGenerator = new NumericAutomatic
        {
            IntegerTicksOnly = true,
            MinorTickGenerator = new LogMinorTickGenerator(),
            LabelFormatter = value => DecadeLabel((int)Math.Round(value)),
        };
    }

    /// <summary>
    /// Log10 axis limits that hug the data (a small margin each side) but always contain at
    /// least one whole decade, so at least one labelled major tick is visible.
    /// </summary>
    public static (double Low, double High) LogLimits(double minPositive, double maxPositive)
    {
        double lo = Math.Log10(minPositive);
        double hi = Math.Log10(maxPositive);
        double pad = 0.05 * Math.Max(hi - lo, 0.5);
        double low = lo - pad;
        double high = hi + pad;
        if (Math.Floor(high) < low)
        {
            // No decade inside the range: stretch towards the nearer one.
            if (low - Math.Floor(low) < Math.Ceiling(high) - high)
                low = Math.Floor(low);
            else
                high = Math.Ceiling(high);
        }

        return (low, high);
    }

    /// <summary>Formats a value with about three significant digits for labels.</summary>
    public static string Compact(double value)
    {
        double magnitude = Math.Abs(value);
        string format = magnitude >= 100 ? "0" : magnitude >= 10 ? "0.#" : magnitude >= 1 ? "0.##" : "0.###";
        return magnitude != 0 && magnitude < 0.001
            ? value.ToString("0.##E0", CultureInfo.InvariantCulture)
            : value.ToString(format, CultureInfo.InvariantCulture);
    }

    private static string Superscript(int exponent)
    {
        const string digits = "⁰¹²³⁴⁵⁶⁷⁸⁹";
        string text = Math.Abs(exponent).ToString(CultureInfo.InvariantCulture);
        char[] result = new char[text.Length];
        for (int i = 0; i < text.Length; i++)
            result[i] = digits[text[i] - '0'];
        return (exponent < 0 ? "⁻" : string.Empty) + new string(result);
    }
}
