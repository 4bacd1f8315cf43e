using MoESim.Units;

namespace MoESim.Engine;

/// <summary>
/// Binary min-heap of events keyed by (time, insertion sequence), so events at equal times come
/// out in the order they were pushed and runs are deterministic. Arrays only grow (by doubling);
/// push and pop never allocate otherwise.
/// </summary>
/// <remarks>
/// The heap holds small reference-free keys (time, sequence, payload slot) while targets and
/// arguments sit still in a payload array. Sifting then moves 24-byte plain structs instead of
/// structs holding an object reference, which would cost a GC write barrier per move.
/// </remarks>
public sealed class EventQueue
{
    private struct Node
    {
        public long Time;
        public long Sequence;
        public int Slot;
    }

    private struct Payload
    {
        public IEventTarget? Target;
        public int Kind;
        public long Arg0;
        public long Arg1;
    }

    private Node[] _heap;
    private Payload[] _payloads;
    private int[] _freeSlots;
    private int _freeCount;
    private int _count;
    private long _nextSequence;

    /// <summary>Creates an empty queue with room for <paramref name="initialCapacity"/> events (at least 1).</summary>
    public EventQueue(int initialCapacity = 1024)
    {
        if (initialCapacity < 1)
            throw new ArgumentOutOfRangeException(nameof(initialCapacity), initialCapacity, "must be at least 1");
        _heap = new Node[initialCapacity];
        _payloads = new Payload[initialCapacity];
        _freeSlots = new int[initialCapacity];
        // Every slot starts free; slots are handed out from the top of the stack.
        for (int i = 0; i < initialCapacity; i++)
            _freeSlots[i] = initialCapacity - 1 - i;
        _freeCount = initialCapacity;
    }

    /// <summary>Number of pending events.</summary>
    public int Count => _count;

    /// <summary>Current size of the backing arrays (events); exposed so tests can check growth.</summary>
    public int Capacity => _heap.Length;

    /// <summary>Total events ever pushed; the next push gets this as its sequence number.</summary>
    public long PushedCount => _nextSequence;

    /// <summary>Firing time of the earliest pending event in picoseconds. Throws when empty.</summary>
    public long PeekTimePicoseconds
    {
        get
        {
            if (_count == 0)
                throw new InvalidOperationException("event queue is empty");
            return _heap[0].Time;
        }
    }

    /// <summary>Adds an event at absolute time <paramref name="at"/>; the queue assigns its sequence number.</summary>
    public void Push(SimTime at, IEventTarget target, int kind, long arg0, long arg1)
    {
        if (_freeCount == 0)
            Grow();
        int slot = _freeSlots[--_freeCount];
        ref var p = ref _payloads[slot];
        p.Target = target;
        p.Kind = kind;
        p.Arg0 = arg0;
        p.Arg1 = arg1;

        long time = at.Picoseconds;
        long seq = _nextSequence++;
        // Sift up with a hole: move parents down instead of swapping, then write once.
        var heap = _heap;
        int i = _count++;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            ref var pn = ref heap[parent];
            // The new event has the largest sequence so far, so an equal-time parent stays above it.
            if (pn.Time <= time)
                break;
            heap[i] = pn;
            i = parent;
        }
        ref var n = ref heap[i];
        n.Time = time;
        n.Sequence = seq;
        n.Slot = slot;
    }

    /// <summary>Removes and returns the earliest pending event. Throws when the queue is empty.</summary>
    public SimEvent Pop()
    {
        if (_count == 0)
            throw new InvalidOperationException("event queue is empty");
        return PopUnchecked();
    }

    /// <summary>
    /// Pops the earliest event if it fires at or before <paramref name="limitPicoseconds"/>;
    /// the simulator's loop uses this to test and take in one call.
    /// </summary>
    public bool TryPopDue(long limitPicoseconds, out SimEvent next)
    {
        if (_count == 0 || _heap[0].Time > limitPicoseconds)
        {
            next = default;
            return false;
        }
        next = PopUnchecked();
        return true;
    }

    /// <summary>Removes all pending events (sequence numbering continues).</summary>
    public void Clear()
    {
        while (_count > 0)
            PopUnchecked();
    }

    private SimEvent PopUnchecked()
    {
        var heap = _heap;
        var top = heap[0];
        ref var p = ref _payloads[top.Slot];
        var result = new SimEvent(top.Time, top.Sequence, p.Target!, p.Kind, p.Arg0, p.Arg1);
        // Drop the target reference so finished targets can be collected, and recycle the slot.
        p.Target = null;
        _freeSlots[_freeCount++] = top.Slot;

        int n = --_count;
        if (n > 0)
        {
            // Sift the last node down from the root, moving the smaller child up into the hole.
            var item = heap[n];
            int i = 0;
            while (true)
            {
                int child = (i << 1) + 1;
                if (child >= n)
                    break;
                ref var c = ref heap[child];
                if (child + 1 < n)
                {
                    ref var r = ref heap[child + 1];
                    if (r.Time < c.Time || (r.Time == c.Time && r.Sequence < c.Sequence))
                    {
                        child++;
                        c = ref r;
                    }
                }
                if (item.Time < c.Time || (item.Time == c.Time && item.Sequence < c.Sequence))
                    break;
                heap[i] = c;
                i = child;
            }
            heap[i] = item;
        }
        return result;
    }

    private void Grow()
    {
        int old = _heap.Length;
        int size = old * 2;
        Array.Resize(ref _heap, size);
        Array.Resize(ref _payloads, size);
        _freeSlots = new int[size];
        // All old slots are in use (that is why we grow); the new ones are free.
        for (int i = 0; i < old; i++)
            _freeSlots[i] = size - 1 - i;
        _freeCount = old;
    }
}
