namespace MoESim.Traces.Statistics;

/// <summary>
/// One LFU expert cache of fixed size: an indexed binary min-heap keyed by (access count,
/// insertion stamp), so the victim is the least frequently used expert, ties to the one inserted
/// earliest. Counts cover every access of the layer, also while an expert is not cached
/// ("perfect" LFU). O(log size) per access.
/// </summary>
public sealed class LfuCache
{
    private readonly int[] _heap;   // heap slot -> expert
    private readonly int[] _slot;   // expert -> heap slot, -1 when not cached
    private readonly long[] _key;   // expert -> (count << 32) | insertion stamp, valid while cached
    private int _count;
    private uint _stamp;

    /// <summary>A cache of <paramref name="size"/> experts (≥ 1) out of <paramref name="experts"/>.</summary>
    public LfuCache(int size, int experts)
    {
        _heap = new int[size];
        _slot = new int[experts];
        Array.Fill(_slot, -1);
        _key = new long[experts];
    }

    /// <summary>
    /// Records an access of <paramref name="expert"/>, whose access count including this one is
    /// <paramref name="frequency"/>; true on a hit.
    /// </summary>
    public bool Access(int expert, long frequency)
    {
        var s = _slot[expert];
        if (s >= 0)
        {
            _key[expert] += 1L << 32;
            SiftDown(s);
            return true;
        }
        _key[expert] = (frequency << 32) | _stamp++;
        if (_count < _heap.Length)
        {
            _heap[_count] = expert;
            _slot[expert] = _count;
            SiftUp(_count++);
            return false;
        }
        // Replace the root (the least frequently used) and restore the heap.
        _slot[_heap[0]] = -1;
        _heap[0] = expert;
        _slot[expert] = 0;
        SiftDown(0);
        return false;
    }

    private void SiftUp(int i)
    {
        var e = _heap[i];
        var key = _key[e];
        while (i > 0)
        {
            var parent = (i - 1) >> 1;
            var p = _heap[parent];
            if (_key[p] <= key) break;
            _heap[i] = p;
            _slot[p] = i;
            i = parent;
        }
        _heap[i] = e;
        _slot[e] = i;
    }

    private void SiftDown(int i)
    {
        var e = _heap[i];
        var key = _key[e];
        var n = _count;
        while (true)
        {
            var child = 2 * i + 1;
            if (child >= n) break;
            if (child + 1 < n && _key[_heap[child + 1]] < _key[_heap[child]]) child++;
            var c = _heap[child];
            if (_key[c] >= key) break;
            _heap[i] = c;
            _slot[c] = i;
            i = child;
        }
        _heap[i] = e;
        _slot[e] = i;
    }
}
