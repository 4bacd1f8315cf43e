using MoESim.Randomness;

namespace MoESim.Traces.Statistics;

/// <summary>
/// Streams a trace's steps once and gathers every statistic of <c>trace stats</c>. Memory is
/// bounded by the shape (co-activation: 2 × (layers − 1) × experts² ints; reservoir; caches) plus
/// layers × k ints per sampled request, never by the trace length.
/// </summary>
/// <remarks>
/// Cheap statistics (per-expert selection counts, hence popularity and load imbalance) use every
/// selection. The expensive ones use the tokens of a deterministic request sample
/// (<see cref="TraceStatisticsOptions.SampleFraction"/>): locality (each token against the
/// previous token of its request), the per-layer LRU/LFU expert caches and reuse distances (one
/// cache per layer fed the sampled tokens' experts in trace order), co-activation of adjacent
/// layers, and a uniform reservoir of tokens per phase from which batches are formed.
/// </remarks>
public sealed class TraceStatisticsCollector
{
    private readonly TraceShape _shape;
    private readonly TraceStatisticsOptions _options;
    private readonly RequestSampler _sampler;
    private readonly PhaseAccumulator _prefill;
    private readonly PhaseAccumulator _decode;
    private readonly LayerCacheSimulator[] _caches;
    private readonly Dictionary<int, int[]> _lastToken = new();
    private readonly int[] _lfuSizes;
    private long _steps;

    /// <summary>A collector for traces of <paramref name="shape"/>.</summary>
    public TraceStatisticsCollector(TraceShape shape, TraceStatisticsOptions options)
    {
        if (!(options.SampleFraction is > 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(options), "sample fraction must be in (0, 1]");
        if (options.AffinityTopM < 1 || options.AffinityTopM > shape.NumExperts) throw new ArgumentOutOfRangeException(nameof(options), "top-m must be in 1..experts");
        if (options.BatchReservoirTokens < 1) throw new ArgumentOutOfRangeException(nameof(options), "reservoir needs at least one token");
        _shape = shape;
        _options = options;
        _sampler = new RequestSampler(options.SampleFraction, options.SampleSeed);
        _lfuSizes = LfuCacheSizes(shape.NumExperts, shape.TopK);
        var root = new SeededRandom(options.SampleSeed);
        _prefill = new PhaseAccumulator("prefill", shape, _lfuSizes.Length, options.BatchReservoirTokens, root.Fork(1));
        _decode = new PhaseAccumulator("decode", shape, _lfuSizes.Length, options.BatchReservoirTokens, root.Fork(2));
        _caches = new LayerCacheSimulator[shape.NumMoeLayers];
        for (var l = 0; l < _caches.Length; l++) _caches[l] = new LayerCacheSimulator(shape.NumExperts, _lfuSizes);
    }

    /// <summary>LFU cache sizes evaluated: k, 2k and fractions 1/32 .. 7/8 of the experts, distinct, in 1..experts−1.</summary>
    public static int[] LfuCacheSizes(int experts, int topK)
    {
        var sizes = new SortedSet<int> { topK, 2 * topK };
        foreach (var f in new[] { 1 / 32.0, 1 / 16.0, 1 / 8.0, 1 / 4.0, 3 / 8.0, 1 / 2.0, 5 / 8.0, 3 / 4.0, 7 / 8.0 })
            sizes.Add((int)Math.Round(experts * f));
        return sizes.Where(s => s >= 1 && s < experts).ToArray();
    }

    /// <summary>Adds one step (its shape must be the collector's).</summary>
    public void Add(RoutingStep step)
    {
        _steps++;
        var phase = step.IsPrefill ? _prefill : _decode;
        var tokens = step.TokenCount;
        var k = _shape.TopK;
        var experts = _shape.NumExperts;
        var layers = _shape.NumMoeLayers;
        ReadOnlySpan<int> ids = step.ExpertIds;
        phase.Tokens += tokens;
        // The all-selections pass: one increment per selection.
        var perLayer = tokens * k;
        var lanes = phase.LaneCounts;
        for (var l = 0; l < layers; l++)
        {
            // Four interleaved count arrays: a hot expert's repeated increments no longer wait on
            // each other through memory (skewed traces hit one counter back to back).
            var layerCounts = lanes.AsSpan(l * 4 * experts, 4 * experts);
            var layerIds = ids.Slice(l * perLayer, perLayer);
            for (var i = 0; i < layerIds.Length; i++)
            {
                var e = layerIds[i];
                if ((uint)e >= (uint)experts) throw new IndexOutOfRangeException($"expert id {e} outside 0..{experts - 1}");
                layerCounts[((i & 3) * experts) + e]++;
            }
        }
        if (_sampler.Contains(step.RequestId)) AddSampled(step, phase, ids);
    }

    private void AddSampled(RoutingStep step, PhaseAccumulator phase, ReadOnlySpan<int> ids)
    {
        var tokens = step.TokenCount;
        var k = _shape.TopK;
        var layers = _shape.NumMoeLayers;
        var experts = _shape.NumExperts;
        _lastToken.TryGetValue(step.RequestId, out var last);
        phase.SampledTokens += tokens;
        for (var t = 0; t < tokens; t++)
        {
            for (var l = 0; l < layers; l++)
            {
                var current = ids.Slice((l * tokens + t) * k, k);
                ReadOnlySpan<int> previous = t > 0 ? ids.Slice((l * tokens + t - 1) * k, k) : last is null ? default : last.AsSpan(l * k, k);
                if (!previous.IsEmpty)
                {
                    var overlap = 0;
                    foreach (var e in current) if (previous.Contains(e)) overlap++;
                    phase.LocalityOverlap[l] += overlap;
                    phase.LocalityPairs[l]++;
                }
                var cache = _caches[l];
                foreach (var e in current) cache.Access(e, phase.ReuseDistance, phase.LfuHits);
                phase.CacheAccesses += k;
                if (l + 1 < layers)
                {
                    var next = ids.Slice(((l + 1) * tokens + t) * k, k);
                    var co = phase.CoactivationOf(l);
                    foreach (var a in current)
                    {
                        var row = a * experts;
                        foreach (var b in next) co[row + b]++;
                    }
                }
            }
            phase.OfferToReservoir(ids, tokens, t);
        }
        if (last is null) _lastToken[step.RequestId] = last = new int[layers * k];
        for (var l = 0; l < layers; l++) ids.Slice((l * tokens + tokens - 1) * k, k).CopyTo(last.AsSpan(l * k, k));
    }

    /// <summary>Computes the statistics of everything added so far.</summary>
    public TraceStatistics Finish() => new()
    {
        Shape = _shape,
        Options = _options,
        Steps = _steps,
        SampledRequests = _lastToken.Count,
        Phases = [PhaseSummarizer.Summarize(_prefill, _lfuSizes, _options), PhaseSummarizer.Summarize(_decode, _lfuSizes, _options)],
    };
}
