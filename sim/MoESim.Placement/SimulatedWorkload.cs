namespace MoESim.Placement;

/// <summary>
/// The small fixed workload that <see cref="SimulatedThroughput"/> serves with every placement:
/// Poisson arrivals of equal requests, fast enough that all of them are queued almost at once, so
/// the makespan measures the serving capacity of the placement rather than the arrival rate.
/// Kept small because expert-parallel serving is simulated step by step.
/// </summary>
public sealed record SimulatedWorkload
{
    /// <summary>Requests served, ≥ 1; 0 in the CLI turns end-to-end scoring off.</summary>
    public int Requests { get; init; } = 32;

    /// <summary>Prompt length of every request, tokens, ≥ 1. Long enough that prefill (where expert load balance matters most) dominates.</summary>
    public int PromptTokens { get; init; } = 512;

    /// <summary>Generated tokens of every request, ≥ 1.</summary>
    public int OutputTokens { get; init; } = 16;

    /// <summary>Poisson arrival rate, requests per second (&gt; 0); high so that the queue, not the arrivals, sets the makespan.</summary>
    public double RatePerSecond { get; init; } = 1000;

    /// <summary>Seed of the arrival times.</summary>
    public ulong Seed { get; init; } = 42;
}
