namespace MoESim.Traces.Replay;

/// <summary>
/// Cache of decoded trace requests, bounded by a total selection budget (1 byte each, 2 above 256 experts), so
/// replay memory stays bounded whatever the trace size. A hit is an array load and a use-stamp
/// store (routing looks requests up per slice, every pass); when a miss takes the cache over
/// budget, the least recently used requests are evicted. The latest request always stays, even
/// if it alone exceeds the budget.
/// </summary>
internal sealed class ReplayRequestCache
{
    private readonly long _budgetSelections;
    private readonly ReplayRequest?[] _resident;
    private readonly long[] _lastUse;
    private readonly List<int> _residentIndices = new();
    private long _tick;
    private long _heldSelections;

    /// <summary>A cache over <paramref name="entries"/> trace requests.</summary>
    public ReplayRequestCache(int entries, long budgetSelections)
    {
        _budgetSelections = budgetSelections;
        _resident = new ReplayRequest?[entries];
        _lastUse = new long[entries];
    }

    /// <summary>Decodes performed (cache misses).</summary>
    public long Misses { get; private set; }

    /// <summary>Selections held now.</summary>
    public long HeldSelections => _heldSelections;

    public ReplayRequest Get(int index, Func<int, ReplayRequest> decode)
    {
        _lastUse[index] = ++_tick;
        if (_resident[index] is { } hit) return hit;
        Misses++;
        var request = decode(index);
        _resident[index] = request;
        _residentIndices.Add(index);
        _heldSelections += request.Selections;
        while (_heldSelections > _budgetSelections && _residentIndices.Count > 1) EvictOldest();
        return request;
    }

    /// <summary>Drops <paramref name="index"/> if resident (a partial decode about to be replaced by a full one).</summary>
    public void Drop(int index)
    {
        if (_resident[index] is null) return;
        var at = _residentIndices.IndexOf(index);
        RemoveAt(at);
    }

    /// <summary>Evicts the least recently used request: a scan, but only on misses over budget.</summary>
    private void EvictOldest()
    {
        var oldest = 0;
        for (var i = 1; i < _residentIndices.Count; i++)
            if (_lastUse[_residentIndices[i]] < _lastUse[_residentIndices[oldest]]) oldest = i;
        RemoveAt(oldest);
    }

    private void RemoveAt(int at)
    {
        var index = _residentIndices[at];
        _residentIndices[at] = _residentIndices[^1];
        _residentIndices.RemoveAt(_residentIndices.Count - 1);
        _heldSelections -= _resident[index]!.Selections;
        _resident[index] = null;
    }
}
