namespace MoESim.Placement;

/// <summary>One strategy scored on the fit part and on the held-out part of a trace.</summary>
public sealed record PlacementComparisonRow
{
    public required PlacementResult Result { get; init; }
    public required PlacementScore Fit { get; init; }
    public required PlacementScore HeldOut { get; init; }
}
