namespace MoESim.Plots;

/// <summary>One coloured group of bars, e.g. one placement strategy: a value per category.</summary>
public sealed record BarGroup
{
    /// <summary>Legend text, e.g. "expert-parallel".</summary>
    public required string Name { get; init; }

    /// <summary>One finite value per category, in the unit of the chart's value axis label.</summary>
    public required double[] Values { get; init; }
}
