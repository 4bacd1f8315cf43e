namespace MoESim.Traces.Statistics;

/// <summary>Statistics of one MoE layer in one phase.</summary>
public sealed record LayerStatistics
{
    /// <summary>MoE layer index, 0-based.</summary>
    public required int Layer { get; init; }
    /// <summary>Expert selections at this layer (tokens × k), all requests.</summary>
    public required long Selections { get; init; }
    /// <summary>Load imbalance: the busiest expert's selections over the mean, ≥ 1 (1 = balanced).</summary>
    public required double MaxOverMean { get; init; }
    /// <summary>Coefficient of variation of per-expert selections (population std / mean), ≥ 0.</summary>
    public required double CoefficientOfVariation { get; init; }
    /// <summary>Gini coefficient of per-expert selections, 0 (equal) .. 1 (one expert takes all).</summary>
    public required double Gini { get; init; }
    /// <summary>Least-squares slope s of log(selections) vs log(rank + 1) over experts sorted by load (a Zipf-exponent estimate; exact when no expert's inclusion probability is capped at 1).</summary>
    public required double ZipfExponentEstimate { get; init; }
    /// <summary>Sampled token pairs (a token and the previous token of its request) compared for locality.</summary>
    public required long LocalityPairs { get; init; }
    /// <summary>Mean fraction of a token's experts the previous token of its request also used, 0..1 (NaN without pairs).</summary>
    public required double ReuseRate { get; init; }
    /// <summary>The reuse rate popularity alone would give: k Σ p_e², p_e the expert's share of selections.</summary>
    public required double ChanceReuseRate { get; init; }
    /// <summary>Locality above chance, (reuse − chance) / (1 − chance): the generator's λ.</summary>
    public required double LocalityExcess { get; init; }
}
