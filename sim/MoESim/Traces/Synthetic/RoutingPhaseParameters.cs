namespace MoESim.Traces.Synthetic;

/// <summary>
/// Routing behaviour of one phase (prefill or decode) of the synthetic router v2. Each parameter
/// maps to a statistic that <c>trace stats</c> measures (see MoESim.Traces.Statistics.TraceStatistics).
/// </summary>
public sealed record RoutingPhaseParameters
{
    /// <summary>
    /// Zipf exponent s of per-layer expert popularity: the expert of popularity rank r (0-based,
    /// a seeded permutation per layer) has weight 1/(r+1)^s, turned into per-token inclusion
    /// probabilities π (Σπ = top-k, each ≤ 1). 0 is uniform. Range [0, 4]. Ignored when
    /// <see cref="Histogram"/> is set.
    /// </summary>
    public double ZipfExponent { get; init; }

    /// <summary>
    /// Explicit popularity per layer instead of Zipf: [layer][expert] non-negative weights (any
    /// scale; each layer needs a positive sum). Null uses <see cref="ZipfExponent"/>.
    /// </summary>
    public double[][]? Histogram { get; init; }

    /// <summary>
    /// Temporal locality λ in [0, 1): each of a token's k slots at a layer copies the previous
    /// token's (same request) expert in that slot with probability λ. Measured as locality above
    /// chance: (r − q) / (1 − q), r the fraction of a token's experts also used by the previous
    /// token at that layer, q the rate expected from popularity alone.
    /// </summary>
    public double Locality { get; init; }

    /// <summary>
    /// Cross-layer affinity α in [0, 1]: each slot not copied by locality is drawn, with
    /// probability α, from the seeded successor set of the expert in the same slot at the previous
    /// layer (instead of from the layer's popularity). Measured as the excess top-m coverage of the
    /// co-activation conditional P(e' at l+1 | e at l), m the successor-set size: equal to α for
    /// top-1 routing, about α/k for top-k (only k of a token's k² layer pairs carry the link).
    /// </summary>
    public double Affinity { get; init; }
}
