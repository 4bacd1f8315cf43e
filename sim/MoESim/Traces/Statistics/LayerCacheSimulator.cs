using System.Runtime.CompilerServices;
using System.Numerics;

namespace MoESim.Traces.Statistics;

/// <summary>
/// Expert caches of one MoE layer fed the layer's accesses in trace order: an LRU stack (every
/// access's reuse distance, i.e. its depth in the stack, gives LRU hits for every cache size at
/// once: a hit in a cache of C experts is a distance &lt; C), and one <see cref="LfuCache"/> per
/// size in a grid.
/// </summary>
/// <remarks>
/// The LRU stack is kept as each expert's depth (0 = most recent). An access at depth d moves
/// the expert to 0 and pushes every expert above it one down: "add 1 where depth &lt; d", one
/// vector compare and subtract per 32 experts (256 experts: 8 steps), whatever the distance.
/// Depths are bytes up to 256 experts, else 16-bit; never-used experts sit at the type's
/// maximum, which no limit reaches.
/// </remarks>
public sealed class LayerCacheSimulator
{
    private readonly byte[]? _byteDepth;      // expert -> LRU depth, padded to whole vectors
    private readonly ushort[]? _wideDepth;
    private readonly int _experts;
    private int _used;
    private readonly LfuCache[] _lfu;
    private readonly long[] _frequency;
    private readonly uint[] _resident; // expert -> bit s set while LFU cache s holds it
    private readonly uint _allCaches;

    /// <summary>A simulator for <paramref name="experts"/> experts (1..65,536) and LFU cache sizes <paramref name="lfuSizes"/> (at most 32).</summary>
    public LayerCacheSimulator(int experts, int[] lfuSizes)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lfuSizes.Length, 32);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(experts, 1 << 16);
        _experts = experts;
        var padded = (experts + 63) / 64 * 64;
        if (experts <= 256) Array.Fill(_byteDepth = new byte[padded], byte.MaxValue);
        else Array.Fill(_wideDepth = new ushort[padded], ushort.MaxValue);
        _frequency = new long[experts];
        _lfu = new LfuCache[lfuSizes.Length];
        for (var s = 0; s < _lfu.Length; s++) _lfu[s] = new LfuCache(lfuSizes[s], _frequency);
        _resident = new uint[experts];
        _allCaches = lfuSizes.Length == 32 ? uint.MaxValue : (1u << lfuSizes.Length) - 1;
    }

    /// <summary>
    /// Records one access: adds 1 to <paramref name="reuseDistance"/>[distance] (index experts for a
    /// first access) and to <paramref name="lfuHits"/>[i] when LFU cache i holds the expert.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Access(int expert, Span<long> reuseDistance, Span<long> lfuHits)
    {
        reuseDistance[MoveToFront(expert, _frequency[expert] == 0)]++;
        _frequency[expert]++;
        var resident = _resident[expert];
        for (var hits = resident; hits != 0; hits &= hits - 1) lfuHits[BitOperations.TrailingZeroCount(hits)]++;
        for (var misses = _allCaches & ~resident; misses != 0; misses &= misses - 1)
        {
            var s = BitOperations.TrailingZeroCount(misses);
            var evicted = _lfu[s].Insert(expert);
            if (evicted >= 0) _resident[evicted] &= ~(1u << s);
        }
        _resident[expert] = _allCaches;
    }

    // Returns the reuse distance (the old depth), or the expert count for a first use.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int MoveToFront(int expert, bool first)
    {
        var distance = first ? _experts : _byteDepth?[expert] ?? _wideDepth![expert];
        var limit = first ? _used++ : distance;
        if (_byteDepth is { } bytes)
        {
            var below = new Vector<byte>((byte)limit);
            var depth = bytes.AsSpan();
            for (var i = 0; i < depth.Length; i += Vector<byte>.Count)
            {
                var v = new Vector<byte>(depth[i..]);
                (v - Vector.LessThan(v, below)).CopyTo(depth[i..]); // a true lane is all ones: −(−1) = +1
            }
            bytes[expert] = 0;
        }
        else
        {
            var below = new Vector<ushort>((ushort)limit);
            var depth = _wideDepth.AsSpan();
            for (var i = 0; i < depth.Length; i += Vector<ushort>.Count)
            {
                var v = new Vector<ushort>(depth[i..]);
                (v - Vector.LessThan(v, below)).CopyTo(depth[i..]);
            }
            _wideDepth![expert] = 0;
        }
        return distance;
    }
}
