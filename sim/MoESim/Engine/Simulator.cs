using MoESim.Units;

namespace MoESim.Engine;

/// <summary>
/// Discrete-event simulator: a clock (<see cref="Now"/>) and an <see cref="EventQueue"/>.
/// Events fire in (time, insertion order); handlers may schedule more events at or after
/// <see cref="Now"/>. Not thread-safe: one simulation runs on one thread.
/// </summary>
public sealed class Simulator
{
    private readonly EventQueue _queue;
    private long _nowPicoseconds;
    private bool _running;
    private bool _stopRequested;

    /// <summary>Creates a simulator at time zero with room for <paramref name="initialQueueCapacity"/> pending events.</summary>
    public Simulator(int initialQueueCapacity = 1024) => _queue = new EventQueue(initialQueueCapacity);

    /// <summary>Current simulated time (picoseconds since the start).</summary>
    public SimTime Now => new(_nowPicoseconds);

    /// <summary>Events dispatched so far by <see cref="Run"/> and <see cref="RunUntil"/>.</summary>
    public long EventsProcessed { get; private set; }

    /// <summary>Events scheduled but not yet dispatched.</summary>
    public int PendingEvents => _queue.Count;

    /// <summary>The underlying queue, for inspection (capacity, counts).</summary>
    public EventQueue Queue => _queue;

    /// <summary>
    /// Schedules <paramref name="target"/> to receive (<paramref name="kind"/>, <paramref name="a0"/>,
    /// <paramref name="a1"/>) at absolute time <paramref name="at"/>, which must not be before
    /// <see cref="Now"/> (scheduling in the past is a bug in the caller, so it throws).
    /// </summary>
    public void Schedule(SimTime at, IEventTarget target, int kind, long a0 = 0, long a1 = 0)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (at.Picoseconds < _nowPicoseconds)
            throw new ArgumentOutOfRangeException(nameof(at), at, $"cannot schedule in the past (now is {Now})");
        _queue.Push(at, target, kind, a0, a1);
    }

    /// <summary>Schedules an event <paramref name="delay"/> (non-negative) after <see cref="Now"/>.</summary>
    public void ScheduleAfter(SimTime delay, IEventTarget target, int kind, long a0 = 0, long a1 = 0)
    {
        if (delay.Picoseconds < 0)
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "delay must be non-negative");
        Schedule(new SimTime(SimTime.AddPicoseconds(_nowPicoseconds, delay.Picoseconds)), target, kind, a0, a1);
    }

    /// <summary>Dispatches events until the queue is empty or <see cref="Stop"/> is called.</summary>
    public void Run() => RunCore(long.MaxValue);

    /// <summary>
    /// Dispatches every event whose time is at or before <paramref name="until"/>, then advances
    /// <see cref="Now"/> to <paramref name="until"/> (unless stopped early), so a later run resumes
    /// from there. <paramref name="until"/> must not be before <see cref="Now"/>.
    /// </summary>
    public void RunUntil(SimTime until)
    {
        if (until.Picoseconds < _nowPicoseconds)
            throw new ArgumentOutOfRangeException(nameof(until), until, $"cannot run until the past (now is {Now})");
        if (RunCore(until.Picoseconds))
            _nowPicoseconds = until.Picoseconds;
    }

    /// <summary>Asks the running loop to return after the current event; pending events stay queued.</summary>
    public void Stop() => _stopRequested = true;

    // Returns true when the loop ran out of events due by `limit`, false when stopped.
    private bool RunCore(long limit)
    {
        if (_running)
            throw new InvalidOperationException("Run/RunUntil called from inside an event handler");
        _running = true;
        _stopRequested = false;
        try
        {
            var queue = _queue;
            while (queue.TryPopDue(limit, out var e))
            {
                _nowPicoseconds = e.TimePicoseconds;
                EventsProcessed++;
                e.Target.OnEvent(this, e.Kind, e.Arg0, e.Arg1);
                if (_stopRequested)
                    return false;
            }
            return true;
        }
        finally
        {
            _running = false;
        }
    }
}
