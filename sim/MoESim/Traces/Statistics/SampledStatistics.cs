using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;

namespace MoESim.Traces.Statistics;

/// <summary>
/// The expensive statistics, fed only the steps of sampled requests: locality (each token against
/// the previous token of its request, same layer), the per-layer LRU/LFU caches and reuse
/// distances, co-activation of adjacent layers, and the batch reservoir.
/// </summary>
/// <remarks>
/// Sampled steps are buffered (ids regrouped by layer, about 2 M ids) and processed layer by
/// layer when the buffer fills and at <see cref="Flush"/>: every statistic here is per layer or
/// per layer pair and sees its own layer's tokens in trace order either way, so the results are
/// those of step-by-step processing, while one layer's caches and its co-activation matrix
/// (E² counts) stay in the CPU cache for thousands of tokens instead of being reloaded from
/// memory by each sampled decode step.
/// </remarks>
internal sealed class SampledStatistics
{
    /// <summary>Ids held before the buffer is processed by default (4 MiB as 16-bit ids).</summary>
    public const int DefaultBufferIds = 1 << 21;
    private readonly int _layers;
    private readonly int _experts;
    private readonly int _topK;
    private readonly LayerCacheSimulator[] _caches;
    private readonly Dictionary<int, int[]> _lastToken = new(); // request -> its last token's ids [layer][k]
    private readonly List<BufferedStep> _steps = new();
    private ushort[] _buffer;     // [layer][token slot][k]
    private int _capacityTokens;
    private int _bufferedTokens;
    private readonly int[] _stamp;
    private int _serial;

    public SampledStatistics(TraceShape shape, int[] lfuSizes, int bufferIds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferIds, 1);
        _layers = shape.NumMoeLayers;
        _experts = shape.NumExperts;
        _topK = shape.TopK;
        _caches = new LayerCacheSimulator[_layers];
        for (var l = 0; l < _caches.Length; l++) _caches[l] = new LayerCacheSimulator(_experts, lfuSizes);
        _capacityTokens = Math.Max(1, bufferIds / (_layers * _topK));
        _buffer = [];
        _stamp = new int[_experts];
    }

    /// <summary>Distinct requests seen.</summary>
    public int Requests => _lastToken.Count;

    /// <summary>Adds a sampled step (ids checked in range) to <paramref name="phase"/>; the reservoir takes its tokens now, the rest is buffered.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add<T>(int requestId, int tokens, PhaseAccumulator phase, ReadOnlySpan<T> ids) where T : unmanaged, IBinaryInteger<T>
    {
        var k = _topK;
        ref var last = ref CollectionsMarshal.GetValueRefOrAddDefault(_lastToken, requestId, out var seen);
        last ??= new int[_layers * k];
        phase.SampledTokens += tokens;
        for (var t = 0; t < tokens; t++) phase.OfferToReservoir(ids, tokens, t);

        if (_bufferedTokens + tokens > _capacityTokens) Flush();
        if (tokens > _capacityTokens) _capacityTokens = tokens;
        if (_buffer.Length < _layers * _capacityTokens * k) _buffer = new ushort[_layers * _capacityTokens * k];
        for (var l = 0; l < _layers; l++)
        {
            var from = ids.Slice(l * tokens * k, tokens * k);
            var to = _buffer.AsSpan((l * _capacityTokens + _bufferedTokens) * k, tokens * k);
            for (var i = 0; i < from.Length; i++) to[i] = ushort.CreateTruncating(from[i]);
        }
        _steps.Add(new BufferedStep(phase, last, _bufferedTokens, tokens, seen));
        _bufferedTokens += tokens;
    }

    /// <summary>Processes the buffered steps, layer by layer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Flush()
    {
        if (_steps.Count == 0) return;
        var k = _topK;
        for (var l = 0; l < _layers; l++)
        {
            var cache = _caches[l];
            var layerIds = _buffer.AsSpan(l * _capacityTokens * k, _bufferedTokens * k);
            var nextIds = l + 1 < _layers ? _buffer.AsSpan((l + 1) * _capacityTokens * k, _bufferedTokens * k) : default;
            foreach (var s in CollectionsMarshal.AsSpan(_steps))
            {
                var phase = s.Phase;
                var step = layerIds.Slice(s.FirstSlot * k, s.Tokens * k);
                var previous = s.Last.AsSpan(l * k, k);
                long overlap = 0;
                if (s.HasPrevious) overlap += Overlap<int>(previous, step[..k]);
                for (var t = 1; t < s.Tokens; t++) overlap += Overlap<ushort>(step.Slice((t - 1) * k, k), step.Slice(t * k, k));
                phase.LocalityOverlap[l] += overlap;
                phase.LocalityPairs[l] += s.Tokens - (s.HasPrevious ? 0 : 1);

                foreach (var e in step) cache.Access(e, phase.ReuseDistance, phase.LfuHits);
                phase.CacheAccesses += step.Length;

                if (!nextIds.IsEmpty) phase.CoactivationOf(l).Add(step, nextIds.Slice(s.FirstSlot * k, s.Tokens * k), k);
                for (var j = 0; j < k; j++) previous[j] = step[(s.Tokens - 1) * k + j];
            }
        }
        _steps.Clear();
        _bufferedTokens = 0;
    }

    // |current ∩ previous| (each token's k experts are distinct) by stamping the previous token's experts.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Overlap<TP>(ReadOnlySpan<TP> previous, ReadOnlySpan<ushort> current) where TP : unmanaged, IBinaryInteger<TP>
    {
        if (++_serial == int.MaxValue)
        {
            Array.Clear(_stamp);
            _serial = 1;
        }
        foreach (var e in previous) _stamp[int.CreateTruncating(e)] = _serial;
        var overlap = 0;
        foreach (var e in current) if (_stamp[e] == _serial) overlap++;
        return overlap;
    }

    /// <summary>A sampled step waiting in the buffer: its phase, its request's last-token ids, where its tokens sit.</summary>
    private readonly record struct BufferedStep(PhaseAccumulator Phase, int[] Last, int FirstSlot, int Tokens, bool HasPrevious);
}
