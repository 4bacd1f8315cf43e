using MoESim.Engine;
using MoESim.Units;

namespace MoESim.Tests.Engine;

[TestFixture]
public class ComputeUnitTests
{
    private const double Tol = 1e-9; // percent

    [Test]
    public void Two_kernels_on_one_stream_serialise()
    {
        var sim = new Simulator();
        var gpu = new ComputeUnit(sim, "gpu0");
        var done = new RecordingTarget("done");
        double d1 = 3e-6, d2 = 5e-6;
        gpu.Submit(SimTime.FromSeconds(d1), done, 0, 1);
        gpu.Submit(SimTime.FromSeconds(d2), done, 0, 2);
        sim.Run();
        Assert.That(done.SecondsOf(1), Is.EqualTo(d1).Within(Tol).Percent);
        Assert.That(done.SecondsOf(2), Is.EqualTo(d1 + d2).Within(Tol).Percent);
        Assert.That(gpu.BusyTime.Seconds, Is.EqualTo(d1 + d2).Within(Tol).Percent);
        Assert.That(gpu.Utilisation, Is.EqualTo(1.0).Within(Tol).Percent);
    }

    [Test]
    public void Two_streams_overlap()
    {
        var sim = new Simulator();
        var gpu = new ComputeUnit(sim, "gpu0", streams: 2);
        var done = new RecordingTarget("done");
        double d1 = 3e-6, d2 = 5e-6, d3 = 4e-6;
        gpu.Submit(SimTime.FromSeconds(d1), done, 0, 1);
        gpu.Submit(SimTime.FromSeconds(d2), done, 0, 2);
        // Third job goes to the stream that frees first (stream 0 at d1).
        gpu.Submit(SimTime.FromSeconds(d3), done, 0, 3);
        sim.Run();
        Assert.That(done.SecondsOf(1), Is.EqualTo(d1).Within(Tol).Percent);
        Assert.That(done.SecondsOf(2), Is.EqualTo(d2).Within(Tol).Percent);
        Assert.That(done.SecondsOf(3), Is.EqualTo(d1 + d3).Within(Tol).Percent);
        // Busy (any stream) is the union [0, d1 + d3]; stream-time is the plain sum.
        Assert.That(gpu.BusyTime.Seconds, Is.EqualTo(d1 + d3).Within(Tol).Percent);
        Assert.That(gpu.StreamBusyTime.Seconds, Is.EqualTo(d1 + d2 + d3).Within(Tol).Percent);
    }

    [Test]
    public void Job_submitted_later_starts_at_submission_and_idle_gap_is_not_busy()
    {
        var sim = new Simulator();
        var gpu = new ComputeUnit(sim, "gpu0");
        var done = new RecordingTarget("done");
        gpu.Submit(SimTime.FromSeconds(1e-6), done, 0, 1);
        sim.RunUntil(SimTime.FromSeconds(4e-6));
        gpu.Submit(SimTime.FromSeconds(2e-6), done, 0, 2);
        // Mid-job: only the elapsed part of the running job counts as busy so far.
        sim.RunUntil(SimTime.FromSeconds(5e-6));
        Assert.That(gpu.BusyTime.Seconds, Is.EqualTo(2e-6).Within(Tol).Percent);
        Assert.That(gpu.BookedBusyTime.Seconds, Is.EqualTo(3e-6).Within(Tol).Percent);
        sim.Run();
        Assert.That(done.SecondsOf(2), Is.EqualTo(6e-6).Within(Tol).Percent);
        Assert.That(gpu.BusyTime.Seconds, Is.EqualTo(3e-6).Within(Tol).Percent);
        Assert.That(gpu.Utilisation, Is.EqualTo(0.5).Within(Tol).Percent);
    }

    [Test]
    public void Submit_returns_end_time_and_null_target_schedules_nothing()
    {
        var sim = new Simulator();
        var gpu = new ComputeUnit(sim, "gpu0");
        var end = gpu.Submit(SimTime.FromSeconds(2e-6), null);
        Assert.That(end.Seconds, Is.EqualTo(2e-6).Within(Tol).Percent);
        Assert.That(sim.PendingEvents, Is.EqualTo(0));
        Assert.That(gpu.IdleAt, Is.EqualTo(end));
    }

    [Test]
    public void Invalid_arguments_throw()
    {
        var sim = new Simulator();
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new ComputeUnit(sim, "x", streams: 0));
        var gpu = new ComputeUnit(sim, "x");
        Assert.Throws<ArgumentOutOfRangeException>(() => gpu.Submit(new SimTime(-1), null));
    }

    [Test]
    public void Spans_go_to_one_track_per_stream()
    {
        var sim = new Simulator();
        var timeline = new TimelineRecorder();
        var gpu = new ComputeUnit(sim, "gpu0", streams: 2, timeline);
        gpu.Submit(SimTime.FromSeconds(1e-6), null, label: "attn");
        gpu.Submit(SimTime.FromSeconds(2e-6), null, label: "ffn");
        Assert.That(timeline.Spans.Select(s => (s.Track, s.Name)),
            Is.EqualTo(new[] { ("gpu0/stream0", "attn"), ("gpu0/stream1", "ffn") }));
        Assert.That(timeline.Spans[1].Duration.Seconds, Is.EqualTo(2e-6).Within(Tol).Percent);
    }
}
