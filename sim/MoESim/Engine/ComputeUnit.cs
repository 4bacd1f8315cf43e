using MoESim.Units;

namespace MoESim.Engine;

/// <summary>
/// A compute resource on a device (SMs, an NPU core cluster, CPU AMX units, a PIM unit) with one
/// or more streams. Each submitted job runs on the stream that frees up first, in submission
/// order; jobs on one stream run back to back, jobs on different streams overlap. Job durations
/// come from the cost model; the unit only queues them and reports busy time.
/// </summary>
public sealed class ComputeUnit
{
    private readonly Simulator _sim;
    private readonly TimelineRecorder? _timeline;
    private readonly long[] _streamFreeAt;
    private readonly string[] _trackNames;
    private long _bookedBusy;     // union of booked job intervals, ps (includes the future)
    private long _segmentStart;   // start of the last merged busy interval, ps
    private long _segmentEnd;     // end of the last merged busy interval, ps
    private long _streamBusy;     // sum of all job durations, ps

    /// <summary>
    /// Creates a unit called <paramref name="name"/> with <paramref name="streams"/> (≥ 1) streams;
    /// spans go to <paramref name="timeline"/> when one is given.
    /// </summary>
    public ComputeUnit(Simulator sim, string name, int streams = 1, TimelineRecorder? timeline = null)
    {
        ArgumentNullException.ThrowIfNull(sim);
        ArgumentNullException.ThrowIfNull(name);
        if (streams < 1)
            throw new ArgumentOutOfRangeException(nameof(streams), streams, "a compute unit needs at least one stream");
        _sim = sim;
        _timeline = timeline;
        Name = name;
        _streamFreeAt = new long[streams];
        // Track names are built once so recording a span allocates nothing but the span.
        _trackNames = new string[streams];
        for (int i = 0; i < streams; i++)
            _trackNames[i] = streams == 1 ? name : $"{name}/stream{i}";
    }

    /// <summary>Unit name (also its timeline track name).</summary>
    public string Name { get; }

    /// <summary>Number of streams (parallel job slots).</summary>
    public int Streams => _streamFreeAt.Length;

    /// <summary>Jobs submitted so far.</summary>
    public long JobsSubmitted { get; private set; }

    /// <summary>
    /// Time up to <see cref="Simulator.Now"/> during which at least one stream was busy. Jobs
    /// already booked for later are not counted until simulated time reaches them.
    /// </summary>
    public SimTime BusyTime
    {
        get
        {
            // Only the last merged interval can reach past now: a later interval can only start
            // once every stream is idle, which is never in the future when a job is submitted.
            long now = _sim.Now.Picoseconds;
            long future = Math.Max(0, _segmentEnd - Math.Max(now, _segmentStart));
            return new SimTime(_bookedBusy - future);
        }
    }

    /// <summary>Busy time of all submitted jobs, including those still running or queued.</summary>
    public SimTime BookedBusyTime => new(_bookedBusy);

    /// <summary>Sum of all submitted job durations over all streams (stream-seconds, in ps).</summary>
    public SimTime StreamBusyTime => new(_streamBusy);

    /// <summary>When the last booked job ends (the unit is idle from then on).</summary>
    public SimTime IdleAt => new(_segmentEnd);

    /// <summary>
    /// Fraction (0..1) of the time from zero to <see cref="Simulator.Now"/> during which at least
    /// one stream was busy; 0 at time zero.
    /// </summary>
    public double Utilisation
    {
        get
        {
            long now = _sim.Now.Picoseconds;
            return now == 0 ? 0 : BusyTime.Picoseconds / (double)now;
        }
    }

    /// <summary>
    /// Queues a job of length <paramref name="duration"/> (≥ 0) on the earliest-free stream
    /// (lowest index on ties). When it ends, <paramref name="onDone"/> (if not null) receives
    /// (<paramref name="kind"/>, <paramref name="a0"/>, <paramref name="a1"/>). Returns the job's
    /// end time. <paramref name="label"/> names the span on the timeline.
    /// </summary>
    public SimTime Submit(SimTime duration, IEventTarget? onDone, int kind = 0, long a0 = 0, long a1 = 0, string? label = null)
    {
        if (duration.Picoseconds < 0)
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "duration must be non-negative");

        int stream = 0;
        var free = _streamFreeAt;
        for (int i = 1; i < free.Length; i++)
        {
            if (free[i] < free[stream])
                stream = i;
        }
        long start = Math.Max(_sim.Now.Picoseconds, free[stream]);
        long end = SimTime.AddPicoseconds(start, duration.Picoseconds);
        free[stream] = end;
        JobsSubmitted++;
        _streamBusy += duration.Picoseconds;

        // Starts never decrease (the earliest free time only grows), so merging with the last
        // interval is enough to keep the union of busy intervals.
        if (start >= _segmentEnd)
        {
            _bookedBusy += end - start;
            _segmentStart = start;
            _segmentEnd = end;
        }
        else if (end > _segmentEnd)
        {
            _bookedBusy += end - _segmentEnd;
            _segmentEnd = end;
        }

        _timeline?.Record(_trackNames[stream], label ?? "job", new SimTime(start), new SimTime(end));
        if (onDone is not null)
            _sim.Schedule(new SimTime(end), onDone, kind, a0, a1);
        return new SimTime(end);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Streams} stream(s))";
}
