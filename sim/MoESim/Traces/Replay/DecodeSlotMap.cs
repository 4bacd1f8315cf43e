namespace MoESim.Traces.Replay;

/// <summary>
/// Where each trace request's decode tokens sit in <see cref="ReplayRoutingSummary"/>'s mask
/// store, which is filled in file order: per request, runs of consecutive decode ordinals held in
/// consecutive slots. A request written without interruption is one run (an offset); decode
/// steps interleaved across requests give one run per step, found by binary search.
/// </summary>
internal sealed class DecodeSlotMap
{
    private struct Run
    {
        public int Request;
        public int FirstOrdinal;
        public int FirstSlot;
        public int Count;
    }

    private Run[] _runs = new Run[64];
    private int _count;
    private int[] _lastRun = new int[16]; // per request, index of its latest run (build), -1 if none
    private int _requests;
    private int[] _start = [];            // per request, its first run after Complete (length requests + 1)

    public void AddRequest()
    {
        if (_requests == _lastRun.Length) Array.Resize(ref _lastRun, 2 * _lastRun.Length);
        _lastRun[_requests++] = -1;
    }

    /// <summary>Decode ordinals <paramref name="ordinal"/>..+<paramref name="count"/> of <paramref name="request"/> are in slots <paramref name="slot"/>..</summary>
    public void Add(int request, int ordinal, int slot, int count)
    {
        var last = _lastRun[request];
        if (last >= 0)
        {
            ref var run = ref _runs[last];
            if (run.FirstOrdinal + run.Count == ordinal && run.FirstSlot + run.Count == slot)
            {
                run.Count += count;
                return;
            }
        }
        if (_count == _runs.Length) Array.Resize(ref _runs, 2 * _runs.Length);
        _runs[_count] = new Run { Request = request, FirstOrdinal = ordinal, FirstSlot = slot, Count = count };
        _lastRun[request] = _count++;
    }

    /// <summary>Groups the runs by request (a stable counting sort: each request's runs stay in ordinal order).</summary>
    public void Complete()
    {
        _start = new int[_requests + 1];
        for (var i = 0; i < _count; i++) _start[_runs[i].Request + 1]++;
        for (var r = 0; r < _requests; r++) _start[r + 1] += _start[r];
        var next = (int[])_start.Clone();
        var sorted = new Run[Math.Max(1, _count)];
        for (var i = 0; i < _count; i++) sorted[next[_runs[i].Request]++] = _runs[i];
        _runs = sorted;
    }

    /// <summary>Writes the map (after <see cref="Complete"/>) for <see cref="Read"/>.</summary>
    public void Write(ReplayIndexWriter writer)
    {
        writer.Write(_count);
        writer.Write<Run>(_runs.AsSpan(0, _count));
        writer.Write<int>(_start);
    }

    /// <summary>A completed map of <paramref name="requests"/> requests as <see cref="Write"/> stored it.</summary>
    public static DecodeSlotMap Read(ref ReplayIndexReader reader, int requests)
    {
        var map = new DecodeSlotMap { _requests = requests };
        map._count = reader.ReadInt32();
        map._runs = new Run[Math.Max(1, map._count)];
        reader.Read<Run>(map._runs.AsSpan(0, map._count));
        map._start = new int[requests + 1];
        reader.Read<int>(map._start);
        // A stored map must describe valid slots for every request: first runs in range, counts consistent.
        for (var r = 0; r < requests; r++)
            if (map._start[r] < 0 || map._start[r] > map._start[r + 1] || map._start[r + 1] > map._count)
                throw new InvalidDataException("decode slot map out of range");
        return map;
    }

    /// <summary>The slot of decode ordinal <paramref name="ordinal"/> of <paramref name="request"/> (which must exist).</summary>
    public int Slot(int request, int ordinal)
    {
        int lo = _start[request], hi = _start[request + 1] - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (_runs[mid].FirstOrdinal <= ordinal) lo = mid; else hi = mid - 1;
        }
        var run = _runs[lo];
        return run.FirstSlot + (ordinal - run.FirstOrdinal);
    }
}
