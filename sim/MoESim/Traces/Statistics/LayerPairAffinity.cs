namespace MoESim.Traces.Statistics;

/// <summary>
/// Cross-layer affinity between MoE layers l and l+1 from the co-activation counts C[e, e'] (tokens
/// using e at l and e' at l+1; each token adds its k × k pairs) of the sampled requests.
/// </summary>
public sealed record LayerPairAffinity
{
    /// <summary>First layer l of the pair (l, l+1).</summary>
    public required int Layer { get; init; }
    /// <summary>Top-m coverage: mass of P(e'|e) on each row's m largest entries, averaged with weights P(e), 0..1.</summary>
    public required double TopMCoverage { get; init; }
    /// <summary>The coverage the same top-m columns would get if layers were independent (Σ_e P(e) Σ_top-m P(e')).</summary>
    public required double IndependentCoverage { get; init; }
    /// <summary>
    /// Coverage above independence, (coverage − independent) / (1 − independent): 0 for
    /// independent layers, 1 when every row's mass sits on its top m. For top-1 routing it equals
    /// the generator's affinity α; with k &gt; 1 each token adds k² pairs of which only k carry the
    /// affinity link, so it is about α/k (the fitter inverts it by simulation).
    /// </summary>
    public required double ExcessCoverage { get; init; }
    /// <summary>Mutual information of (e, e') over co-activation pairs, nats, ≥ 0.</summary>
    public required double MutualInformationNats { get; init; }
    /// <summary>Expected mutual information of independent layers from this many pairs (Miller–Madow bias (R−1)(C−1)/(2N)), nats.</summary>
    public required double IndependentMutualInformationNats { get; init; }
}
