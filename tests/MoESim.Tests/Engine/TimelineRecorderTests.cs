using System.Text.Json;
using MoESim.Engine;
using MoESim.Units;

namespace MoESim.Tests.Engine;

[TestFixture]
public class TimelineRecorderTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = Directory.CreateTempSubdirectory("moesim-trace-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    [Test]
    public void Chrome_trace_parses_and_has_the_expected_tracks()
    {
        var sim = new Simulator();
        var timeline = new TimelineRecorder();
        var gpu = new ComputeUnit(sim, "gpu0", streams: 2, timeline);
        var net = new FlowNetwork(sim, timeline);
        int link = net.AddLink("nvlink0", 1e9, 0);
        gpu.Submit(SimTime.FromSeconds(2e-6), null, label: "expert_ffn");
        gpu.Submit(SimTime.FromSeconds(3e-6), null, label: "attention");
        net.StartFlow(1000, [link], null, label: "dispatch");
        sim.Run();

        var path = Path.Combine(_dir, "trace.json");
        timeline.WriteChromeTrace(path);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var events = doc.RootElement.GetProperty("traceEvents").EnumerateArray().ToList();

        var threadNames = events
            .Where(e => e.GetProperty("ph").GetString() == "M" && e.GetProperty("name").GetString() == "thread_name")
            .ToDictionary(e => e.GetProperty("args").GetProperty("name").GetString()!, e => e.GetProperty("tid").GetInt32());
        Assert.That(threadNames.Keys, Is.EquivalentTo(new[] { "gpu0/stream0", "gpu0/stream1", "link:nvlink0" }));

        var spans = events.Where(e => e.GetProperty("ph").GetString() == "X").ToList();
        Assert.That(spans, Has.Count.EqualTo(3));
        Assert.That(spans.All(e => e.GetProperty("pid").GetInt32() == 1), Is.True);
        var attn = spans.Single(e => e.GetProperty("name").GetString() == "attention");
        Assert.That(attn.GetProperty("tid").GetInt32(), Is.EqualTo(threadNames["gpu0/stream1"]));
        Assert.That(attn.GetProperty("ts").GetDouble(), Is.EqualTo(0.0));
        Assert.That(attn.GetProperty("dur").GetDouble(), Is.EqualTo(3.0).Within(1e-9).Percent);
        // 1000 bytes at 1 GB/s is 1 us.
        var dispatch = spans.Single(e => e.GetProperty("name").GetString() == "dispatch");
        Assert.That(dispatch.GetProperty("dur").GetDouble(), Is.EqualTo(1.0).Within(1e-9).Percent);
        Assert.That(dispatch.GetProperty("args").GetProperty("bytes").GetDouble(), Is.EqualTo(1000));
        Assert.That(doc.RootElement.GetProperty("otherData").GetProperty("truncated").GetBoolean(), Is.False);
        // Written via a temporary file that was renamed away.
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { path }));
    }

    [Test]
    public void Spans_beyond_the_cap_are_dropped_and_counted()
    {
        var timeline = new TimelineRecorder(maxSpans: 2);
        for (int i = 0; i < 5; i++)
            timeline.Record("t", "s", new SimTime(i), new SimTime(i + 1));
        Assert.That(timeline.Spans, Has.Count.EqualTo(2));
        Assert.That(timeline.Truncated, Is.True);
        Assert.That(timeline.DroppedSpans, Is.EqualTo(3));

        var path = Path.Combine(_dir, "t.json");
        timeline.WriteChromeTrace(path);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var other = doc.RootElement.GetProperty("otherData");
        Assert.That(other.GetProperty("truncated").GetBoolean(), Is.True);
        Assert.That(other.GetProperty("droppedSpans").GetInt64(), Is.EqualTo(3));
    }

    [Test]
    public void Disabled_recorder_keeps_nothing()
    {
        var timeline = new TimelineRecorder { Enabled = false };
        timeline.Record("t", "s", SimTime.Zero, new SimTime(1));
        Assert.That(timeline.Spans, Is.Empty);
        Assert.That(timeline.Truncated, Is.False);
    }

    [Test]
    public void Span_ending_before_it_starts_throws()
    {
        var timeline = new TimelineRecorder();
        Assert.Throws<ArgumentOutOfRangeException>(() => timeline.Record("t", "s", new SimTime(2), new SimTime(1)));
    }
}
