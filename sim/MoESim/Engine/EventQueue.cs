using MoESim.Units;

namespace MoESim.Engine;

/// <summary>
/// Binary min-heap of <see cref="SimEvent"/> keyed by (time, insertion sequence), so events at
/// equal times come out in the order they were pushed and runs are deterministic. The backing
/// array only grows (by doubling); push and pop never allocate otherwise.
/// </summary>
public sealed class EventQueue
{
    private SimEvent[] _heap;
    private int _count;
    private long _nextSequence;

    /// <summary>Creates an empty queue with room for <paramref name="initialCapacity"/> events (at least 1).</summary>
    public EventQueue(int initialCapacity = 1024)
    {
        if (initialCapacity < 1)
            throw new ArgumentOutOfRangeException(nameof(initialCapacity), initialCapacity, "must be at least 1");
        _heap = new SimEvent[initialCapacity];
    }

    /// <summary>Number of pending events.</summary>
    public int Count => _count;

    /// <summary>Current size of the backing array (events); exposed so tests can check it stops growing.</summary>
    public int Capacity => _heap.Length;

    /// <summary>Total events ever pushed; the next push gets this as its sequence number.</summary>
    public long PushedCount => _nextSequence;

    /// <summary>Adds an event at absolute time <paramref name="at"/>; the queue assigns its sequence number.</summary>
    public void Push(SimTime at, IEventTarget target, int kind, long arg0, long arg1)
    {
        if (_count == _heap.Length)
            Array.Resize(ref _heap, _heap.Length * 2);
        var item = new SimEvent(at.Picoseconds, _nextSequence++, target, kind, arg0, arg1);

        // Sift up with a hole: move parents down instead of swapping, then write once.
        var heap = _heap;
        int i = _count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!item.Precedes(heap[parent]))
                break;
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = item;
    }

    /// <summary>Earliest pending event. Throws when the queue is empty.</summary>
    public ref readonly SimEvent Peek()
    {
        if (_count == 0)
            throw new InvalidOperationException("event queue is empty");
        return ref _heap[0];
    }

    /// <summary>Removes and returns the earliest pending event. Throws when the queue is empty.</summary>
    public SimEvent Pop()
    {
        if (_count == 0)
            throw new InvalidOperationException("event queue is empty");
        var heap = _heap;
        var top = heap[0];
        int n = --_count;
        if (n > 0)
        {
            // Sift the last element down from the root, again moving children up into the hole.
            var item = heap[n];
            int i = 0;
            while (true)
            {
                int child = (i << 1) + 1;
                if (child >= n)
                    break;
                if (child + 1 < n && heap[child + 1].Precedes(heap[child]))
                    child++;
                if (!heap[child].Precedes(item))
                    break;
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = item;
        }
        // Drop the target reference so finished targets can be collected.
        heap[n] = default;
        return top;
    }

    /// <summary>Removes all pending events (sequence numbering continues).</summary>
    public void Clear()
    {
        Array.Clear(_heap, 0, _count);
        _count = 0;
    }
}
