namespace MoESim.Runs;

/// <summary>
/// Which experts each token chooses (scenario <c>routing</c>): the seeded Zipf router
/// (<see cref="ZipfExponent"/>, 0 = uniform, the default), a replayed expert-selection trace
/// (<see cref="TracePath"/>) or synthetic router v2 parameters (<see cref="RouterParametersPath"/>); at most one is set.
/// </summary>
public sealed record ScenarioRouting
{
    /// <summary>Zipf exponent of expert popularity for the synthetic router, 0 (uniform) to 4.</summary>
    public double ZipfExponent { get; init; }

    /// <summary>Expert-selection trace to replay (.jsonl, .moetrace, .csv), resolved path; null for a synthetic router.</summary>
    public string? TracePath { get; init; }

    /// <summary>Synthetic router v2 parameters (params.json from <c>trace gen</c>), resolved path; null for the Zipf router.</summary>
    public string? RouterParametersPath { get; init; }
}
