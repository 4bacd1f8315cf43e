using System.Text.Json;
using MoESim.Units;

namespace MoESim.Engine;

/// <summary>
/// Optional recorder of busy intervals for timeline plots and Chrome/Perfetto traces. Nothing is
/// recorded unless a recorder is handed to a <see cref="ComputeUnit"/> or <see cref="FlowNetwork"/>
/// and <see cref="Enabled"/> is true. Memory is bounded: after <see cref="MaxSpans"/> spans,
/// further spans are counted in <see cref="DroppedSpans"/> and not kept.
/// </summary>
public sealed class TimelineRecorder
{
    /// <summary>Default cap on kept spans (about 20 MB of trace JSON).</summary>
    public const int DefaultMaxSpans = 200_000;

    private readonly List<TimelineSpan> _spans = new();

    /// <summary>Creates a recorder keeping at most <paramref name="maxSpans"/> (≥ 0) spans.</summary>
    public TimelineRecorder(int maxSpans = DefaultMaxSpans)
    {
        if (maxSpans < 0)
            throw new ArgumentOutOfRangeException(nameof(maxSpans), maxSpans, "must be non-negative");
        MaxSpans = maxSpans;
    }

    /// <summary>When false, <see cref="Record"/> does nothing (spans are neither kept nor counted).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Most spans kept; later ones are dropped and counted.</summary>
    public int MaxSpans { get; }

    /// <summary>Spans kept so far, in recording order.</summary>
    public IReadOnlyList<TimelineSpan> Spans => _spans;

    /// <summary>Spans offered after the cap was reached and therefore not kept.</summary>
    public long DroppedSpans { get; private set; }

    /// <summary>True when at least one span was dropped because of <see cref="MaxSpans"/>.</summary>
    public bool Truncated => DroppedSpans > 0;

    /// <summary>Records a span from <paramref name="start"/> to <paramref name="end"/> (end ≥ start) on <paramref name="track"/>.</summary>
    public void Record(string track, string name, SimTime start, SimTime end,
        string? arg0Name = null, double arg0Value = 0, string? arg1Name = null, double arg1Value = 0)
    {
        if (!Enabled)
            return;
        if (end < start)
            throw new ArgumentOutOfRangeException(nameof(end), end, $"span ends before it starts ({start})");
        if (_spans.Count >= MaxSpans)
        {
            DroppedSpans++;
            return;
        }
        _spans.Add(new TimelineSpan(track, name, start, end, arg0Name, arg0Value, arg1Name, arg1Value));
    }

    /// <summary>Forgets all spans and the dropped count.</summary>
    public void Clear()
    {
        _spans.Clear();
        DroppedSpans = 0;
    }

    /// <summary>
    /// Writes the spans as Chrome trace-event JSON (open in chrome://tracing or ui.perfetto.dev):
    /// complete ("X") events with ts/dur in microseconds, pid 1, one tid per track in order of
    /// first appearance, named by "thread_name" metadata. The file is written to a temporary
    /// name in the same folder and then renamed, so readers never see a half-written trace.
    /// </summary>
    public void WriteChromeTrace(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        // Same folder as the target so the final rename stays on one file system (atomic).
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            using (var w = new Utf8JsonWriter(stream))
                WriteTrace(w);
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            File.Delete(tmp);
            throw;
        }
    }

    private void WriteTrace(Utf8JsonWriter w)
    {
        // Track ids in order of first appearance keep the output deterministic.
        var tids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var s in _spans)
            tids.TryAdd(s.Track, tids.Count + 1);

        w.WriteStartObject();
        w.WriteString("displayTimeUnit", "ns");
        w.WriteStartArray("traceEvents");

        w.WriteStartObject();
        w.WriteString("name", "process_name");
        w.WriteString("ph", "M");
        w.WriteNumber("pid", 1);
        w.WriteStartObject("args");
        w.WriteString("name", "MoESim");
        w.WriteEndObject();
        w.WriteEndObject();

        foreach (var (track, tid) in tids)
        {
            w.WriteStartObject();
            w.WriteString("name", "thread_name");
            w.WriteString("ph", "M");
            w.WriteNumber("pid", 1);
            w.WriteNumber("tid", tid);
            w.WriteStartObject("args");
            w.WriteString("name", track);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        foreach (var s in _spans)
        {
            w.WriteStartObject();
            w.WriteString("name", s.Name);
            w.WriteString("ph", "X");
            w.WriteNumber("pid", 1);
            w.WriteNumber("tid", tids[s.Track]);
            w.WriteNumber("ts", s.Start.Microseconds);
            w.WriteNumber("dur", s.Duration.Microseconds);
            if (s.Arg0Name is not null || s.Arg1Name is not null)
            {
                w.WriteStartObject("args");
                if (s.Arg0Name is not null)
                    w.WriteNumber(s.Arg0Name, s.Arg0Value);
                if (s.Arg1Name is not null)
                    w.WriteNumber(s.Arg1Name, s.Arg1Value);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();

        w.WriteStartObject("otherData");
        w.WriteBoolean("truncated", Truncated);
        w.WriteNumber("droppedSpans", DroppedSpans);
        w.WriteNumber("maxSpans", MaxSpans);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
