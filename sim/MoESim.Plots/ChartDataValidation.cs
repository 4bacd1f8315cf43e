namespace MoESim.Plots;

/// <summary>Checks chart inputs up front so bad data fails with a message naming the series.</summary>
internal static class ChartDataValidation
{
    public static void RequireText(string? value, string what, string paramName)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new ArgumentException($"{what} must not be empty.", paramName);
    }

    /// <summary>Validates one x/y series: equal non-zero lengths, finite values, positive on log axes.</summary>
    public static void RequireSeries(
        string seriesName, double[]? xs, double[]? ys, bool logX, bool logY, string paramName)
    {
        if (string.IsNullOrWhiteSpace(seriesName))
            throw new ArgumentException("Every series needs a non-empty name.", paramName);
        if (xs is null || ys is null)
            throw new ArgumentException($"Series '{seriesName}' has no x or y values.", paramName);
        if (xs.Length == 0)
            throw new ArgumentException($"Series '{seriesName}' is empty: it needs at least one point.", paramName);
        if (xs.Length != ys.Length)
            throw new ArgumentException(
                $"Series '{seriesName}' has {xs.Length} x values but {ys.Length} y values; they must match.", paramName);
        RequireValues(seriesName, "x", xs, logX, paramName);
        RequireValues(seriesName, "y", ys, logY, paramName);
    }

    /// <summary>Validates finite values, and strictly positive ones when drawn on a log axis.</summary>
    public static void RequireValues(string seriesName, string axis, double[] values, bool log, string paramName)
    {
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            if (!double.IsFinite(v))
                throw new ArgumentException(
                    $"Series '{seriesName}' has a non-finite {axis} value ({v}) at index {i}.", paramName);
            if (log && v <= 0)
                throw new ArgumentException(
                    $"Series '{seriesName}' has {axis} value {v} at index {i}, but the {axis} axis is " +
                    "logarithmic and needs values > 0.", paramName);
        }
    }

    public static double[] Log10(double[] values)
    {
        double[] result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
            result[i] = Math.Log10(values[i]);
        return result;
    }
}
