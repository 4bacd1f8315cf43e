namespace MoESim.Plots;

/// <summary>
/// One named line: points (Xs[i], Ys[i]) in the units named by the chart's axis labels.
/// Xs and Ys must have the same, non-zero length and finite values (positive on a log axis).
/// </summary>
public sealed record LineSeries
{
    /// <summary>Legend text, e.g. "TTFT p99".</summary>
    public required string Name { get; init; }

    /// <summary>X coordinates in the x axis unit (e.g. seconds of simulated time).</summary>
    public required double[] Xs { get; init; }

    /// <summary>Y coordinates in the unit of the axis this series is drawn against.</summary>
    public required double[] Ys { get; init; }

    /// <summary>
    /// Dashed line: a reference or model curve drawn beside measured ones (right-axis series are
    /// always dashed). Markers stay solid.
    /// </summary>
    public bool Dashed { get; init; }

    /// <summary>Marker at each point, when the chart shows markers.</summary>
    public SeriesMarker Marker { get; init; } = SeriesMarker.FilledCircle;
}
