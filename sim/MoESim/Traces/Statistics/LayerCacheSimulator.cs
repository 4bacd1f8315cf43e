namespace MoESim.Traces.Statistics;

/// <summary>
/// Expert caches of one MoE layer fed the layer's accesses in trace order: an LRU stack (the
/// move-to-front list gives every access's reuse distance, and LRU hits for every cache size at
/// once: a hit in a cache of C experts is a distance &lt; C), and one LFU cache per size in a grid.
/// LFU counts every access seen so far (also of evicted experts) and evicts the cached expert with
/// the lowest count, ties to the least recently inserted.
/// </summary>
public sealed class LayerCacheSimulator
{
    private readonly int[] _stack;    // position -> expert, most recent first
    private readonly int[] _position; // expert -> position, -1 never seen
    private int _seen;
    private readonly int[] _lfuSizes;
    private readonly int[][] _lfuCached;   // [size index][slot] = expert
    private readonly int[] _lfuFill;
    private readonly bool[][] _lfuIn;      // [size index][expert]
    private readonly long[] _frequency;    // [expert]

    /// <summary>A simulator for <paramref name="experts"/> experts and LFU cache sizes <paramref name="lfuSizes"/>.</summary>
    public LayerCacheSimulator(int experts, int[] lfuSizes)
    {
        _stack = new int[experts];
        _position = new int[experts];
        Array.Fill(_position, -1);
        _lfuSizes = lfuSizes;
        _lfuCached = lfuSizes.Select(s => new int[s]).ToArray();
        _lfuFill = new int[lfuSizes.Length];
        _lfuIn = lfuSizes.Select(_ => new bool[experts]).ToArray();
        _frequency = new long[experts];
    }

    /// <summary>
    /// Records one access: adds 1 to <paramref name="reuseDistance"/>[distance] (index experts for a
    /// first access) and to <paramref name="lfuHits"/>[i] when LFU cache i holds the expert.
    /// </summary>
    public void Access(int expert, Span<long> reuseDistance, Span<long> lfuHits)
    {
        var p = _position[expert];
        if (p < 0)
        {
            reuseDistance[_stack.Length]++;
            p = _seen++;
        }
        else reuseDistance[p]++;
        // Move to front: shift the p more recent experts down by one.
        for (var i = p; i > 0; i--)
        {
            var moved = _stack[i - 1];
            _stack[i] = moved;
            _position[moved] = i;
        }
        _stack[0] = expert;
        _position[expert] = 0;

        _frequency[expert]++;
        for (var s = 0; s < _lfuSizes.Length; s++)
        {
            var inCache = _lfuIn[s];
            if (inCache[expert]) { lfuHits[s]++; continue; }
            var cached = _lfuCached[s];
            if (_lfuFill[s] < cached.Length)
            {
                cached[_lfuFill[s]++] = expert;
                inCache[expert] = true;
                continue;
            }
            var victim = 0;
            for (var i = 1; i < cached.Length; i++)
                if (_frequency[cached[i]] < _frequency[cached[victim]]) victim = i;
            inCache[cached[victim]] = false;
            // Keep insertion order (oldest first) so ties evict the least recently inserted.
            Array.Copy(cached, victim + 1, cached, victim, cached.Length - victim - 1);
            cached[^1] = expert;
            inCache[expert] = true;
        }
    }
}
