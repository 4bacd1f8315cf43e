using System.Runtime.CompilerServices;
namespace MoESim.Traces.Statistics;

/// <summary>
/// One LFU expert cache of fixed size. The victim is the cached expert with the fewest accesses,
/// ties to the one inserted earliest; counts cover every access of the layer, also while an
/// expert is not cached ("perfect" LFU), and live in an array shared by all caches of the layer.
/// </summary>
/// <remarks>
/// A lazy min-heap keyed by (count, insertion stamp): a hit costs nothing here (the caller
/// tracks residency and counts), so a cached expert's key in the heap can fall behind its true
/// count. Counts only grow, so a stored key is a lower bound of the true one: when the root's
/// stored key is current it is the true minimum; otherwise it is refreshed and sifted down and
/// the root looked at again. Evictions are exactly those of an eagerly updated heap; the cost is
/// O(log size) per miss (plus one refresh per expert that reaches the root stale) instead of
/// O(log size) per access.
/// </remarks>
public sealed class LfuCache
{
    private readonly long[] _frequency;
    private readonly long[] _key;     // heap slot -> (count << 32) | insertion stamp, as last refreshed
    private readonly int[] _expert;   // heap slot -> expert
    private readonly int _size;
    private int _count;
    private uint _stamp;

    /// <summary>
    /// A cache of <paramref name="size"/> experts (≥ 1); <paramref name="frequency"/>[e] is the
    /// layer's access count of expert e including the access being recorded (the caller keeps it).
    /// </summary>
    public LfuCache(int size, long[] frequency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _frequency = frequency;
        // Slots past the last entry hold the largest key, so a sift-down needs no bounds test for
        // the second child and picks the smaller child without a branch.
        _key = new long[2 * size + 2];
        Array.Fill(_key, long.MaxValue);
        _expert = new int[size];
        _size = size;
    }

    /// <summary>Experts the cache holds (up to its size).</summary>
    public int Count => _count;

    /// <summary>
    /// Inserts <paramref name="expert"/>, which missed (the caller knows it is not cached); returns
    /// the expert evicted to make room, or -1 while the cache was not full.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Insert(int expert)
    {
        var key = (_frequency[expert] << 32) | _stamp++;
        if (_count < _size)
        {
            SiftUp(_count++, key, expert);
            return -1;
        }
        while (true)
        {
            var root = _expert[0];
            var current = (_frequency[root] << 32) | (uint)_key[0];
            if (current == _key[0]) break;
            SiftDown(current, root);
        }
        var evicted = _expert[0];
        SiftDown(key, expert);
        return evicted;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SiftUp(int i, long key, int expert)
    {
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            if (_key[parent] <= key) break;
            _key[i] = _key[parent];
            _expert[i] = _expert[parent];
            i = parent;
        }
        _key[i] = key;
        _expert[i] = expert;
    }

    // Puts (key, expert) at the root and sifts it down (the heap is full: _count == _size).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SiftDown(long key, int expert)
    {
        var keys = _key;
        var experts = _expert;
        var i = 0;
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= _size) break;
            child += keys[child + 1] < keys[child] ? 1 : 0;
            if (keys[child] >= key) break;
            keys[i] = keys[child];
            experts[i] = experts[child];
            i = child;
        }
        keys[i] = key;
        experts[i] = expert;
    }
}
