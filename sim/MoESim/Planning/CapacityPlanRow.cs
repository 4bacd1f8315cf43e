namespace MoESim.Planning;

/// <summary>
/// One option of a capacity plan: N replicas of a candidate serving the whole workload, with
/// the latency percentile the objective names over all requests and what it costs. A candidate
/// that cannot hold the model has no metrics (NaN) and says why in <see cref="Note"/>.
/// </summary>
public sealed record CapacityPlanRow
{
    /// <summary>The replica kind.</summary>
    public required CapacityCandidate Candidate { get; init; }

    /// <summary>Replicas, ≥ 1.</summary>
    public required int Replicas { get; init; }

    /// <summary>Devices in all replicas.</summary>
    public int Devices => Replicas * Candidate.DevicesPerReplica;

    /// <summary>Price of all replicas, USD per hour.</summary>
    public double PricePerHourUsd => Replicas * Candidate.PricePerHourUsd;

    /// <summary>Time per output token at the objective's percentile, all requests, seconds; NaN if not simulated.</summary>
    public required double TpotSeconds { get; init; }

    /// <summary>Time to first token at the objective's percentile, all requests, seconds; NaN if not simulated.</summary>
    public required double TtftSeconds { get; init; }

    /// <summary>Generated tokens per second over the longest replica's makespan; NaN if not simulated.</summary>
    public required double OutputTokensPerSecond { get; init; }

    /// <summary>USD per million generated tokens at this price and throughput; NaN if not simulated.</summary>
    public double UsdPerMillionOutputTokens => PricePerHourUsd / 3600 / OutputTokensPerSecond * 1e6;

    /// <summary>True when both latency limits hold.</summary>
    public required bool MeetsObjective { get; init; }

    /// <summary>Why the option was not simulated (the model does not fit), else empty.</summary>
    public string Note { get; init; } = "";
}
