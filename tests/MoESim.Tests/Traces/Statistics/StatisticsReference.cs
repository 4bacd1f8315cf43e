using MoESim.Randomness;
using MoESim.Traces;
using MoESim.Traces.Statistics;

namespace MoESim.Tests.Traces.Statistics;

/// <summary>
/// A plain, slow re-implementation of every sampled statistic straight from the definitions in
/// traces/STATISTICS.md (token by token, then layer by layer; lists and linear scans instead of
/// vector depths, lazy heaps, 16-bit cells, buffering and bit sets), to check the collector against.
/// </summary>
internal sealed class StatisticsReference
{
    private readonly TraceShape _shape;
    private readonly RequestSampler _sampler;
    private readonly int[] _lfuSizes;
    private readonly List<int>[] _lru;                       // [layer] most recent first
    private readonly long[][] _accessCount;                  // [layer][expert], every access
    private readonly List<(int Expert, long Stamp)>[][] _lfu; // [layer][size] residents
    private readonly long[][] _lfuStamp;                     // [layer][size] next insertion stamp
    private readonly Dictionary<int, int[]> _last = new();

    public StatisticsReference(TraceShape shape, TraceStatisticsOptions options)
    {
        _shape = shape;
        _sampler = new RequestSampler(options.SampleFraction, options.SampleSeed);
        _lfuSizes = TraceStatisticsCollector.LfuCacheSizes(shape.NumExperts, shape.TopK);
        var layers = shape.NumMoeLayers;
        _lru = Enumerable.Range(0, layers).Select(_ => new List<int>()).ToArray();
        _accessCount = Enumerable.Range(0, layers).Select(_ => new long[shape.NumExperts]).ToArray();
        _lfu = Enumerable.Range(0, layers).Select(_ => _lfuSizes.Select(_ => new List<(int, long)>()).ToArray()).ToArray();
        _lfuStamp = Enumerable.Range(0, layers).Select(_ => new long[_lfuSizes.Length]).ToArray();
        var root = new SeededRandom(options.SampleSeed);
        Prefill = new Phase(shape, _lfuSizes.Length, options.BatchReservoirTokens, root.Fork(1));
        Decode = new Phase(shape, _lfuSizes.Length, options.BatchReservoirTokens, root.Fork(2));
    }

    public Phase Prefill { get; }
    public Phase Decode { get; }
    public int SampledRequests => _last.Count;

    public void Add(RoutingStep step)
    {
        var p = step.IsPrefill ? Prefill : Decode;
        var (layers, k) = (_shape.NumMoeLayers, _shape.TopK);
        p.Tokens += step.TokenCount;
        for (var l = 0; l < layers; l++)
            foreach (var e in step.Layer(l)) p.Counts[l][e]++;
        if (!_sampler.Contains(step.RequestId)) return;
        _last.TryGetValue(step.RequestId, out var last);
        for (var t = 0; t < step.TokenCount; t++)
        {
            p.SampledTokens++;
            for (var l = 0; l < layers; l++)
            {
                var current = step.Experts(l, t).ToArray();
                int[]? previous = t > 0 ? step.Experts(l, t - 1).ToArray() : last?[(l * k)..((l + 1) * k)];
                if (previous is not null)
                {
                    p.LocalityPairs[l]++;
                    p.LocalityOverlap[l] += current.Count(previous.Contains);
                }
                foreach (var e in current) Access(p, l, e);
                if (l + 1 < layers)
                    foreach (var a in current)
                        foreach (var b in step.Experts(l + 1, t)) p.Coactivation[l][a * _shape.NumExperts + b]++;
            }
            p.Offer(Enumerable.Range(0, layers).SelectMany(l => step.Experts(l, t).ToArray()).ToArray());
        }
        last ??= _last[step.RequestId] = new int[layers * k];
        for (var l = 0; l < layers; l++) step.Experts(l, step.TokenCount - 1).CopyTo(last.AsSpan(l * k, k));
    }

    private void Access(Phase p, int layer, int expert)
    {
        p.Accesses++;
        var lru = _lru[layer];
        var depth = lru.IndexOf(expert);
        p.ReuseDistance[depth < 0 ? _shape.NumExperts : depth]++;
        if (depth >= 0) lru.RemoveAt(depth);
        lru.Insert(0, expert);

        var counts = _accessCount[layer];
        counts[expert]++;
        for (var s = 0; s < _lfuSizes.Length; s++)
        {
            var residents = _lfu[layer][s];
            if (residents.Any(r => r.Expert == expert)) { p.LfuHits[s]++; continue; }
            if (residents.Count == _lfuSizes[s])
            {
                // Fewest accesses (every access counted), ties to the earliest inserted.
                var victim = residents.OrderBy(r => counts[r.Expert]).ThenBy(r => r.Stamp).First();
                residents.Remove(victim);
            }
            residents.Add((expert, _lfuStamp[layer][s]++));
        }
    }

    /// <summary>Reference counts of one phase.</summary>
    internal sealed class Phase(TraceShape shape, int lfuSizes, int reservoirTokens, SeededRandom reservoirRandom)
    {
        public long Tokens;
        public long SampledTokens;
        public long Accesses;
        public long[][] Counts { get; } = Enumerable.Range(0, shape.NumMoeLayers).Select(_ => new long[shape.NumExperts]).ToArray();
        public long[] LocalityPairs { get; } = new long[shape.NumMoeLayers];
        public long[] LocalityOverlap { get; } = new long[shape.NumMoeLayers];
        public long[] ReuseDistance { get; } = new long[shape.NumExperts + 1];
        public long[] LfuHits { get; } = new long[lfuSizes];
        public int[][] Coactivation { get; } = Enumerable.Range(0, Math.Max(0, shape.NumMoeLayers - 1)).Select(_ => new int[shape.NumExperts * shape.NumExperts]).ToArray();
        public List<int[]> Reservoir { get; } = [];
        private long _seen;

        /// <summary>Algorithm R over a token's ids [layer][k].</summary>
        public void Offer(int[] token)
        {
            if (_seen < reservoirTokens) Reservoir.Add(token);
            else
            {
                var slot = (long)(reservoirRandom.NextDouble() * (_seen + 1));
                if (slot < reservoirTokens) Reservoir[(int)slot] = token;
            }
            _seen++;
        }

        /// <summary>Mean distinct experts per layer over disjoint batches of b reservoir tokens in the seeded shuffled order.</summary>
        public double DistinctExperts(int b)
        {
            var order = Enumerable.Range(0, Reservoir.Count).ToArray();
            new SeededRandom(reservoirRandom.Seed ^ 0x5EEDUL).Shuffle(order);
            var batches = Reservoir.Count / b;
            double sum = 0;
            for (var batch = 0; batch < batches; batch++)
                for (var l = 0; l < shape.NumMoeLayers; l++)
                    sum += Enumerable.Range(0, b).SelectMany(t => Reservoir[order[batch * b + t]].Skip(l * shape.TopK).Take(shape.TopK)).Distinct().Count();
            return sum / ((double)batches * shape.NumMoeLayers);
        }
    }
}
