namespace MoESim.Traces.Statistics;

/// <summary>Settings of <see cref="TraceStatisticsCollector"/>.</summary>
public sealed record TraceStatisticsOptions
{
    /// <summary>
    /// Fraction of requests, in (0, 1], whose tokens feed the expensive statistics (locality, LRU
    /// and LFU caches, reuse distance, affinity, distinct-vs-batch). A request is in the sample
    /// when a SplitMix64 hash of its id and <see cref="SampleSeed"/> falls below the fraction, so
    /// the sample is deterministic and independent of file order. Popularity and load imbalance
    /// always use every selection.
    /// </summary>
    public double SampleFraction { get; init; } = 1.0;

    /// <summary>Seed of the request sample and of the batch reservoir.</summary>
    public ulong SampleSeed { get; init; } = 1;

    /// <summary>Top-m used for affinity coverage, 1..experts (default 2, the generator's default successor-set size).</summary>
    public int AffinityTopM { get; init; } = 2;

    /// <summary>Tokens per phase kept (uniformly at random) to form batches for distinct-experts-vs-batch, ≥ 1.</summary>
    public int BatchReservoirTokens { get; init; } = 4096;

    /// <summary>MoE layer l whose pair (l, l+1) gets a full affinity matrix in the output, 0..layers−2.</summary>
    public int MatrixLayer { get; init; }
}
