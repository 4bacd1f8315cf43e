namespace MoESim.Traces;

/// <summary>Parameters of the synthetic router.</summary>
public sealed record SyntheticRouterConfig
{
    public required int NumMoeLayers { get; init; }
    public required int NumExperts { get; init; }
    public required int TopK { get; init; }

    /// <summary>
    /// Zipf exponent of expert popularity within a layer: an expert of popularity rank r (0-based)
    /// has weight 1/(r+1)^s. 0 is uniform routing. Range [0, 4].
    /// </summary>
    public double ZipfExponent { get; init; }

    /// <summary>Seed of the router's random stream.</summary>
    public required ulong Seed { get; init; }
}
