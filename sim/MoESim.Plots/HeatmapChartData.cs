namespace MoESim.Plots;

/// <summary>
/// Input of <see cref="HeatmapChart"/>: a matrix drawn as coloured cells, row 0 at the top, e.g.
/// device-to-device traffic (source rows x destination columns) or layer x expert popularity.
/// </summary>
public sealed record HeatmapChartData
{
    /// <summary>Chart title.</summary>
    public required string Title { get; init; }

    /// <summary>Label of the column axis (x), e.g. "Destination device".</summary>
    public required string XAxisLabel { get; init; }

    /// <summary>Label of the row axis (y), e.g. "Source device".</summary>
    public required string YAxisLabel { get; init; }

    /// <summary>Colour bar label with the unit of <see cref="Values"/>, e.g. "Traffic (GB)".</summary>
    public required string ColorBarLabel { get; init; }

    /// <summary>One label per row (top to bottom).</summary>
    public required IReadOnlyList<string> RowLabels { get; init; }

    /// <summary>One label per column (left to right).</summary>
    public required IReadOnlyList<string> ColumnLabels { get; init; }

    /// <summary>
    /// Cell values [row, column] in the unit named by <see cref="ColorBarLabel"/>. NaN marks a
    /// cell with no data (drawn light grey); infinities are rejected; at least one value is finite.
    /// </summary>
    public required double[,] Values { get; init; }

    /// <summary>Print each cell's value: null decides automatically (on for at most 16 x 16 cells).</summary>
    public bool? ShowCellValues { get; init; }
}
