using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MoESim.Traces.Statistics;

/// <summary>
/// Per-layer, per-expert selection counts of one phase: the only statistic fed every selection,
/// so it is the hot loop of <c>trace stats</c> (about a nanosecond per selection is the budget).
/// </summary>
/// <remarks>
/// Counts go into 32-bit lanes, four per layer and expert: token t of a step adds to lane t mod 4,
/// so a hot expert picked by consecutive tokens (locality, skew) increments four different
/// counters in turn and no increment waits on the previous one's store. The lanes are folded
/// into 64-bit totals before any of them could wrap.
/// </remarks>
internal sealed class SelectionCounter
{
    private const int Lanes = 4;
    private readonly int _layers;
    private readonly int _experts;
    private readonly int _topK;
    private readonly uint[] _lanes;   // [(layer * Lanes + lane) * experts + expert]
    private readonly long[] _totals;  // [layer * experts + expert], lanes folded in
    private long _pending;            // selections in the lanes since the last fold (bounds every lane)

    public SelectionCounter(int layers, int experts, int topK)
    {
        _layers = layers;
        _experts = experts;
        _topK = topK;
        _lanes = new uint[layers * Lanes * experts];
        _totals = new long[layers * experts];
    }

    /// <summary>Adds a step's ids (layer-major, <paramref name="tokens"/> × k per layer; every id already checked to be in range).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add<T>(ReadOnlySpan<T> ids, int tokens) where T : unmanaged, IBinaryInteger<T>
    {
        if (_pending + ids.Length > uint.MaxValue) Fold();
        _pending += ids.Length;
        var perLayer = tokens * _topK;
        ref var lanes = ref MemoryMarshal.GetArrayDataReference(_lanes);
        ref var id = ref MemoryMarshal.GetReference(ids);
        for (var l = 0; l < _layers; l++)
        {
            ref var layer = ref Unsafe.Add(ref lanes, l * Lanes * _experts);
            ref var layerIds = ref Unsafe.Add(ref id, l * perLayer);
            if (typeof(T) == typeof(byte) && _topK == 8) CountTop8(ref Unsafe.As<T, byte>(ref layerIds), tokens, ref layer);
            else CountAny(ref layerIds, tokens, ref layer);
        }
    }

    // Top-8 byte ids, unrolled (the common case: DeepSeek-V3, Qwen3, OLMoE shapes).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CountTop8(ref byte ids, int tokens, ref uint layer)
    {
        for (var t = 0; t < tokens; t++)
        {
            ref var s = ref Unsafe.Add(ref ids, t * 8);
            ref var lane = ref Unsafe.Add(ref layer, (t & (Lanes - 1)) * _experts);
            Unsafe.Add(ref lane, s)++;
            Unsafe.Add(ref lane, Unsafe.Add(ref s, 1))++;
            Unsafe.Add(ref lane, Unsafe.Add(ref s, 2))++;
            Unsafe.Add(ref lane, Unsafe.Add(ref s, 3))++;
            Unsafe.Add(ref lane, Unsafe.Add(ref s, 4))++;
            Unsafe.Add(ref lane, Unsafe.Add(ref s, 5))++;
            Unsafe.Add(ref lane, Unsafe.Add(ref s, 6))++;
            Unsafe.Add(ref lane, Unsafe.Add(ref s, 7))++;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CountAny<T>(ref T ids, int tokens, ref uint layer) where T : unmanaged, IBinaryInteger<T>
    {
        var k = _topK;
        for (var t = 0; t < tokens; t++)
        {
            ref var lane = ref Unsafe.Add(ref layer, (t & (Lanes - 1)) * _experts);
            ref var token = ref Unsafe.Add(ref ids, t * k);
            for (var j = 0; j < k; j++) Unsafe.Add(ref lane, int.CreateTruncating(Unsafe.Add(ref token, j)))++;
        }
    }

    private void Fold()
    {
        for (var l = 0; l < _layers; l++)
            for (var lane = 0; lane < Lanes; lane++)
            {
                var from = _lanes.AsSpan((l * Lanes + lane) * _experts, _experts);
                var to = _totals.AsSpan(l * _experts, _experts);
                for (var e = 0; e < from.Length; e++) to[e] += from[e];
                from.Clear();
            }
        _pending = 0;
    }

    /// <summary>Selections per [layer * experts + expert] so far.</summary>
    public long[] Totals()
    {
        Fold();
        return (long[])_totals.Clone();
    }
}
