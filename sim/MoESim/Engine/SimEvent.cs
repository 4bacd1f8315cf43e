using MoESim.Units;

namespace MoESim.Engine;

/// <summary>
/// One scheduled event: when it fires, its tie-break sequence number, whom it goes to and two
/// integer arguments. A plain struct so the queue stores events inline with no allocation.
/// </summary>
public readonly struct SimEvent
{
    /// <summary>Creates an event; <paramref name="timePicoseconds"/> is absolute simulated time.</summary>
    public SimEvent(long timePicoseconds, long sequence, IEventTarget target, int kind, long arg0, long arg1)
    {
        TimePicoseconds = timePicoseconds;
        Sequence = sequence;
        Target = target;
        Kind = kind;
        Arg0 = arg0;
        Arg1 = arg1;
    }

    /// <summary>Absolute firing time in picoseconds (kept raw, not as <see cref="SimTime"/>, for the heap's compares).</summary>
    public long TimePicoseconds { get; }

    /// <summary>Insertion order within the queue (0, 1, 2, ...); breaks ties between equal times.</summary>
    public long Sequence { get; }

    /// <summary>Receiver of the event.</summary>
    public IEventTarget Target { get; }

    /// <summary>Target-defined event kind.</summary>
    public int Kind { get; }

    /// <summary>First target-defined argument.</summary>
    public long Arg0 { get; }

    /// <summary>Second target-defined argument.</summary>
    public long Arg1 { get; }

    /// <summary>Firing time as <see cref="SimTime"/>.</summary>
    public SimTime Time => new(TimePicoseconds);

    /// <summary>True when this event fires before <paramref name="other"/>: earlier time, then lower sequence.</summary>
    public bool Precedes(in SimEvent other) =>
        TimePicoseconds < other.TimePicoseconds
        || (TimePicoseconds == other.TimePicoseconds && Sequence < other.Sequence);
}
