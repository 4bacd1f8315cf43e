namespace MoESim.Plots;

/// <summary>
/// Input of <see cref="BarChart"/>: grouped bars, categories along x (e.g. devices) and one
/// bar per group (e.g. strategy) in each category. Units go in <see cref="ValueAxisLabel"/>.
/// </summary>
public sealed record BarChartData
{
    /// <summary>Chart title.</summary>
    public required string Title { get; init; }

    /// <summary>Label of the category axis, e.g. "Device".</summary>
    public required string CategoryAxisLabel { get; init; }

    /// <summary>Label of the value axis with unit, e.g. "Expert load (tokens/step)".</summary>
    public required string ValueAxisLabel { get; init; }

    /// <summary>Category names along x, e.g. "gpu0".."gpu7"; at least one.</summary>
    public required IReadOnlyList<string> Categories { get; init; }

    /// <summary>Bar groups; each has exactly one value per category; at least one.</summary>
    public required IReadOnlyList<BarGroup> Groups { get; init; }

    /// <summary>Write each bar's value above it (readable up to about 40 bars in total).</summary>
    public bool ShowValueLabels { get; init; }
}
