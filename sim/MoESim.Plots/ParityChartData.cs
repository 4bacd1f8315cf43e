namespace MoESim.Plots;

/// <summary>Input of <see cref="ParityChart"/>.</summary>
public sealed record ParityChartData
{
    public required string Title { get; init; }

    /// <summary>Points; at least one. Colour follows <see cref="ParityPoint.Family"/>, filled markers are fitted cases, open markers held out.</summary>
    public required IReadOnlyList<ParityPoint> Points { get; init; }

    /// <summary>Half-width of the shaded agreement band, as a fraction (0.10 = ±10%).</summary>
    public double BandFraction { get; init; } = 0.10;
}
