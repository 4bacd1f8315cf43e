using MoESim.Parallelism;

namespace MoESim.Placement;

/// <summary>A strategy's placement with how it was found.</summary>
public sealed record PlacementResult
{
    public required ExpertPlacement Placement { get; init; }

    /// <summary>Wall time the strategy took, seconds.</summary>
    public required double SolveSeconds { get; init; }

    /// <summary>
    /// Relative optimality gap of the solver's objective, 1 − bound / objective, in [0, 1]; null
    /// for heuristics. For the per-layer ILP it is that of the per-layer subproblems taken together.
    /// </summary>
    public double? OptimalityGap { get; init; }

    /// <summary>[layer]: the per-layer gap, (incumbent − bound) / incumbent in [0, 1], for the per-layer ILP; null otherwise.</summary>
    public IReadOnlyList<double>? LayerGaps { get; init; }

    /// <summary>One line on how the result was obtained (solver status, decomposition).</summary>
    public string Note { get; init; } = "";
}
