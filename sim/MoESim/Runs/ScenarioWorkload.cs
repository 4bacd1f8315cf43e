namespace MoESim.Runs;

/// <summary>
/// What arrives (scenario <c>workload</c>): a request trace CSV (<see cref="RequestsPath"/>,
/// optionally cut to <see cref="MaxRequests"/>) or generated <see cref="Poisson"/> arrivals; exactly one.
/// </summary>
public sealed record ScenarioWorkload
{
    /// <summary>Request trace CSV (MoESim, Azure or Splitwise layout), resolved path; null with <see cref="Poisson"/>.</summary>
    public string? RequestsPath { get; init; }

    /// <summary>Use only the first N requests of the trace (≥ 1); null for all.</summary>
    public int? MaxRequests { get; init; }

    /// <summary>Generated arrivals; null with <see cref="RequestsPath"/>.</summary>
    public PoissonArrivals? Poisson { get; init; }
}
