namespace MoESim.Plots;

/// <summary>
/// Input of <see cref="LineChart"/>: several series against one x axis, a left y axis and an
/// optional right y axis (e.g. throughput on the left, utilisation on the right).
/// Put units in the axis labels, e.g. "Time (s)", "Latency (ms)".
/// </summary>
public sealed record LineChartData
{
    /// <summary>Chart title.</summary>
    public required string Title { get; init; }

    /// <summary>X axis label with unit, e.g. "Simulated time (s)".</summary>
    public required string XAxisLabel { get; init; }

    /// <summary>Left y axis label with unit, e.g. "Throughput (tokens/s)".</summary>
    public required string YAxisLabel { get; init; }

    /// <summary>Series drawn against the left y axis; at least one.</summary>
    public required IReadOnlyList<LineSeries> Series { get; init; }

    /// <summary>Draw the x axis in decades (all x values must be &gt; 0).</summary>
    public bool LogX { get; init; }

    /// <summary>Draw the left y axis in decades (its y values must be &gt; 0).</summary>
    public bool LogY { get; init; }

    /// <summary>
    /// Range of a bounded left-axis quantity, e.g. (0, 100) for a percentage or (0, 1) for a
    /// fraction: the axis is labelled over exactly this range (plus a 1 % margin so lines on the
    /// bound stay visible) instead of the data plus ScottPlot's 10 % margin, so it never shows
    /// impossible values such as -5 %. Null (the default) fits the axis to the data.
    /// A value outside the range widens the axis to include it (data is never clipped). Low must
    /// be below High, both finite; not allowed together with <see cref="LogY"/>.
    /// </summary>
    public (double Low, double High)? YAxisRange { get; init; }

    /// <summary>As <see cref="YAxisRange"/>, for the right y axis (e.g. 0 to the largest of a non-negative quantity); not with <see cref="LogRightY"/>.</summary>
    public (double Low, double High)? RightYAxisRange { get; init; }

    /// <summary>Right y axis label with unit; required when <see cref="RightSeries"/> is not empty.</summary>
    public string? RightYAxisLabel { get; init; }

    /// <summary>Series drawn dashed against the right y axis; may be empty.</summary>
    public IReadOnlyList<LineSeries> RightSeries { get; init; } = [];

    /// <summary>Draw the right y axis in decades (its y values must be &gt; 0).</summary>
    public bool LogRightY { get; init; }

    /// <summary>Label the x axis at whole numbers only (counts such as window or step indices); not with <see cref="LogX"/>.</summary>
    public bool IntegerX { get; init; }

    /// <summary>Point markers: null picks them automatically (shown when a series has at most 40 points).</summary>
    public bool? ShowMarkers { get; init; }
}
