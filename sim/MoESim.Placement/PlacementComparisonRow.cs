namespace MoESim.Placement;

/// <summary>One strategy scored on the fit part and on the held-out part of a trace.</summary>
public sealed record PlacementComparisonRow
{
    public required PlacementResult Result { get; init; }
    public required PlacementScore Fit { get; init; }
    public required PlacementScore HeldOut { get; init; }

    /// <summary>
    /// End-to-end serving throughput of the placement on a small fixed workload routed like the
    /// held-out part, (prompt + output) tokens per simulated second; null when not simulated.
    /// </summary>
    public double? SimulatedTokensPerSecond { get; init; }
}
