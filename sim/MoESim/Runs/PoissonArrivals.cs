namespace MoESim.Runs;

/// <summary>Generated Poisson arrivals with fixed prompt and output lengths (scenario <c>workload.poisson</c>).</summary>
public sealed record PoissonArrivals
{
    /// <summary>Mean arrival rate, requests per second, &gt; 0.</summary>
    public required double RatePerSecond { get; init; }

    /// <summary>Number of requests generated, ≥ 1.</summary>
    public int Requests { get; init; } = 200;

    /// <summary>Prompt length of every request, tokens, ≥ 1.</summary>
    public int PromptTokens { get; init; } = 512;

    /// <summary>Output length of every request, tokens, ≥ 1.</summary>
    public int OutputTokens { get; init; } = 128;
}
