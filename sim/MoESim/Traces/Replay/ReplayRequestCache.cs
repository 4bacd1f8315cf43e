namespace MoESim.Traces.Replay;

/// <summary>
/// Least-recently-used cache of decoded trace requests, bounded by a total selection budget
/// (2 bytes each), so replay memory stays bounded whatever the trace size. The most recent
/// request is always kept, even if it alone exceeds the budget.
/// </summary>
internal sealed class ReplayRequestCache
{
    private readonly long _budgetSelections;
    private readonly Dictionary<int, LinkedListNode<(int Index, ReplayRequest Request)>> _byIndex = new();
    private readonly LinkedList<(int Index, ReplayRequest Request)> _recency = new();
    private long _heldSelections;

    public ReplayRequestCache(long budgetSelections) => _budgetSelections = budgetSelections;

    /// <summary>Decodes performed (cache misses).</summary>
    public long Misses { get; private set; }

    /// <summary>Selections held now.</summary>
    public long HeldSelections => _heldSelections;

    public ReplayRequest Get(int index, Func<int, ReplayRequest> decode)
    {
        if (_byIndex.TryGetValue(index, out var node))
        {
            if (node != _recency.First)
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
            }
            return node.Value.Request;
        }
        Misses++;
        var request = decode(index);
        _byIndex[index] = _recency.AddFirst((index, request));
        _heldSelections += request.Selections;
        while (_heldSelections > _budgetSelections && _recency.Count > 1)
        {
            var last = _recency.Last!;
            _recency.RemoveLast();
            _byIndex.Remove(last.Value.Index);
            _heldSelections -= last.Value.Request.Selections;
        }
        return request;
    }
}
