using System.Text.Json.Serialization;

namespace MoESim.Traces.Statistics;

/// <summary>All statistics of one phase (prefill or decode).</summary>
public sealed record PhaseStatistics
{
    /// <summary>"prefill" or "decode".</summary>
    public required string Phase { get; init; }
    /// <summary>Tokens in the phase, all requests.</summary>
    public required long Tokens { get; init; }
    /// <summary>Tokens of sampled requests (the expensive statistics' population).</summary>
    public required long SampledTokens { get; init; }
    /// <summary>Per-layer load and locality.</summary>
    public required IReadOnlyList<LayerStatistics> Layers { get; init; }
    /// <summary>Selections [layer][expert], all requests (in expert_popularity.csv, not stats.json).</summary>
    [JsonIgnore]
    public long[][] ExpertSelections { get; init; } = [];
    /// <summary>Cache sizes (experts per layer) of <see cref="LruHitRate"/>: 1..experts.</summary>
    public required int[] LruCacheSizes { get; init; }
    /// <summary>LRU hit rate per cache size, all layers pooled, 0..1.</summary>
    public required double[] LruHitRate { get; init; }
    /// <summary>Cache sizes of <see cref="LfuHitRate"/>.</summary>
    public required int[] LfuCacheSizes { get; init; }
    /// <summary>LFU hit rate per cache size, all layers pooled, 0..1.</summary>
    public required double[] LfuHitRate { get; init; }
    /// <summary>Accesses by reuse distance (distinct other experts of the layer since the last use), index experts = first use.</summary>
    public required long[] ReuseDistance { get; init; }
    /// <summary>Batch sizes (tokens) of the distinct-experts curve.</summary>
    public required int[] BatchSizes { get; init; }
    /// <summary>Mean distinct experts per layer in a batch of that many tokens drawn at random from the phase.</summary>
    public required double[] DistinctExpertsMeasured { get; init; }
    /// <summary>The same if tokens routed independently with the measured popularity: mean over layers of Σ_e 1 − (1 − π_e)^B.</summary>
    public required double[] DistinctExpertsIndependent { get; init; }
    /// <summary>Affinity per adjacent layer pair.</summary>
    public required IReadOnlyList<LayerPairAffinity> Affinity { get; init; }
    /// <summary>P(e' at l+1 | e at l) for the options' matrix layer [e][e'] (rows without data are zero; in affinity_matrix.csv).</summary>
    [JsonIgnore]
    public double[][] AffinityMatrix { get; init; } = [];
}
