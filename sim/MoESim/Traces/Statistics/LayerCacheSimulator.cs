namespace MoESim.Traces.Statistics;

/// <summary>
/// Expert caches of one MoE layer fed the layer's accesses in trace order: an LRU stack (the
/// move-to-front list gives every access's reuse distance, and LRU hits for every cache size at
/// once: a hit in a cache of C experts is a distance &lt; C), and one <see cref="LfuCache"/> per
/// size in a grid.
/// </summary>
public sealed class LayerCacheSimulator
{
    private readonly int[] _stack; // position -> expert, most recent first; unused tail is -1
    private readonly LfuCache[] _lfu;
    private readonly long[] _frequency;

    /// <summary>A simulator for <paramref name="experts"/> experts and LFU cache sizes <paramref name="lfuSizes"/>.</summary>
    public LayerCacheSimulator(int experts, int[] lfuSizes)
    {
        _stack = new int[experts];
        Array.Fill(_stack, -1);
        _lfu = lfuSizes.Select(s => new LfuCache(s, experts)).ToArray();
        _frequency = new long[experts];
    }

    /// <summary>
    /// Records one access: adds 1 to <paramref name="reuseDistance"/>[distance] (index experts for a
    /// first access) and to <paramref name="lfuHits"/>[i] when LFU cache i holds the expert.
    /// </summary>
    public void Access(int expert, Span<long> reuseDistance, Span<long> lfuHits)
    {
        var stack = _stack.AsSpan();
        // Vectorised search and a memmove: cheaper than keeping a position index up to date.
        var p = stack.IndexOf(expert);
        if (p < 0)
        {
            reuseDistance[stack.Length]++;
            p = stack.IndexOf(-1);
        }
        else reuseDistance[p]++;
        stack[..p].CopyTo(stack[1..]);
        stack[0] = expert;

        var frequency = ++_frequency[expert];
        for (var s = 0; s < _lfu.Length; s++)
            if (_lfu[s].Access(expert, frequency)) lfuHits[s]++;
    }
}
