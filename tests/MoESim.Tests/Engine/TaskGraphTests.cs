using MoESim.Engine;
using MoESim.Units;

namespace MoESim.Tests.Engine;

/// <summary>
/// Task graphs on engine resources, checked against hand-computed timings: overlap of transfers
/// and compute, micro-batch pipelining, stream limits, fair link sharing, external tasks,
/// cycles, determinism and allocation.
/// </summary>
[TestFixture]
public class TaskGraphTests
{
    private const double Tol = 1e-9; // percent
    private const double GBps = 1e9;
    private static readonly SimTime Ms = SimTime.FromSeconds(1e-3);

    private static SimTime Millis(double ms) => SimTime.FromSeconds(ms * 1e-3);

    private static double MsOf(SimTime t) => t.Seconds * 1e3;

    /// <summary>A simulator, one 1 GB/s zero-latency link "l" (link 0 of network 0) and compute units with the given stream counts.</summary>
    private static (Simulator Sim, TaskGraphExecutor Exec) Rig(params int[] streamsPerUnit)
    {
        var sim = new Simulator();
        var net = new FlowNetwork(sim);
        net.AddLink("l", 1 * GBps, 0);
        var units = streamsPerUnit.Select((s, i) => new ComputeUnit(sim, $"unit{i}", s));
        return (sim, new TaskGraphExecutor(sim, units, [net]));
    }

    [TestCase(false, 3.0)]
    [TestCase(true, 5.0)]
    public void Transfer_overlaps_compute_unless_compute_depends_on_it(bool dependent, double expectedMs)
    {
        var (sim, exec) = Rig(1);
        var g = new TaskGraph();
        // 2e6 bytes over 1 GB/s with no latency is exactly 2 ms.
        int transfer = g.AddTransfer(0, 2_000_000, [0], "weights");
        int compute = g.AddCompute(0, Millis(3), "ffn");
        if (dependent)
            g.AddDependency(transfer, compute);
        exec.Run(g, null, 0);
        sim.Run();
        Assert.That(exec.IsRunning, Is.False);
        Assert.That(MsOf(exec.TaskEnd(transfer)), Is.EqualTo(2.0).Within(Tol).Percent);
        Assert.That(MsOf(exec.TaskStart(compute)), Is.EqualTo(dependent ? 2.0 : 0.0).Within(Tol).Percent);
        Assert.That(MsOf(exec.Makespan), Is.EqualTo(expectedMs).Within(Tol).Percent);
    }

    [TestCase(3.0, 2.0)] // A > M: attention-bound pipeline
    [TestCase(2.0, 3.0)] // A < M: MoE-bound pipeline
    public void Two_micro_batches_pipeline_across_attention_and_moe_units(double aMs, double mMs)
    {
        var (sim, exec) = Rig(1, 1);
        const int attention = 0, moe = 1;
        var g = new TaskGraph();
        int a1 = g.AddCompute(attention, Millis(aMs), "mb1.A");
        int m1 = g.AddCompute(moe, Millis(mMs), "mb1.M");
        int a2 = g.AddCompute(attention, Millis(aMs), "mb2.A");
        int m2 = g.AddCompute(moe, Millis(mMs), "mb2.M");
        g.AddDependency(a1, m1);
        g.AddDependency(a1, a2);
        g.AddDependency(a2, m2);
        exec.Run(g, null, 0);
        sim.Run();
        // Fill (first A), steady state (the slower of A and M), drain (last M).
        Assert.That(MsOf(exec.Makespan), Is.EqualTo(aMs + Math.Max(aMs, mMs) + mMs).Within(Tol).Percent);
        Assert.That(MsOf(exec.TaskStart(m1)), Is.EqualTo(aMs).Within(Tol).Percent);
        Assert.That(MsOf(exec.TaskStart(m2)), Is.EqualTo(Math.Max(2 * aMs, aMs + mMs)).Within(Tol).Percent);
    }

    [TestCase(3.0, 2.0)]
    [TestCase(2.0, 3.0)]
    public void Two_micro_batches_on_one_shared_unit_do_not_overlap(double aMs, double mMs)
    {
        var (sim, exec) = Rig(1);
        var g = new TaskGraph();
        int a1 = g.AddCompute(0, Millis(aMs), "mb1.A");
        int m1 = g.AddCompute(0, Millis(mMs), "mb1.M");
        int a2 = g.AddCompute(0, Millis(aMs), "mb2.A");
        int m2 = g.AddCompute(0, Millis(mMs), "mb2.M");
        g.AddDependency(a1, m1);
        g.AddDependency(a1, a2);
        g.AddDependency(a2, m2);
        exec.Run(g, null, 0);
        sim.Run();
        Assert.That(MsOf(exec.Makespan), Is.EqualTo(2 * aMs + 2 * mMs).Within(Tol).Percent);
        // m1 and a2 are released together at A; m1 (lower id) gets the stream first.
        Assert.That(MsOf(exec.TaskStart(m1)), Is.EqualTo(aMs).Within(Tol).Percent);
        Assert.That(MsOf(exec.TaskReady(a2)), Is.EqualTo(aMs).Within(Tol).Percent);
        Assert.That(MsOf(exec.TaskStart(a2)), Is.EqualTo(aMs + mMs).Within(Tol).Percent);
    }

    [TestCase(1, 6.0)]
    [TestCase(2, 3.0)]
    public void Compute_tasks_serialise_on_one_stream_and_overlap_on_two(int streams, double expectedMs)
    {
        var (sim, exec) = Rig(streams);
        var g = new TaskGraph();
        int first = g.AddCompute(0, Millis(3), "k1");
        int second = g.AddCompute(0, Millis(3), "k2");
        exec.Run(g, null, 0);
        sim.Run();
        Assert.That(MsOf(exec.Makespan), Is.EqualTo(expectedMs).Within(Tol).Percent);
        Assert.That(exec.TaskReady(second), Is.EqualTo(SimTime.Zero));
        Assert.That(MsOf(exec.TaskStart(second)), Is.EqualTo(streams == 1 ? 3.0 : 0.0).Within(Tol).Percent);
        Assert.That(MsOf(exec.TaskEnd(first)), Is.EqualTo(3.0).Within(Tol).Percent);
    }

    [Test]
    public void Two_transfers_on_one_link_share_it_fairly()
    {
        var (sim, exec) = Rig();
        var g = new TaskGraph();
        // Each 1 MB flow gets 0.5 GB/s while both run: both end at 2 ms, not 1 ms and 2 ms.
        int f1 = g.AddTransfer(0, 1_000_000, [0], "f1");
        int f2 = g.AddTransfer(0, 1_000_000, [0], "f2");
        exec.Run(g, null, 0);
        sim.Run();
        Assert.That(MsOf(exec.TaskEnd(f1)), Is.EqualTo(2.0).Within(Tol).Percent);
        Assert.That(MsOf(exec.TaskEnd(f2)), Is.EqualTo(2.0).Within(Tol).Percent);
        Assert.That(MsOf(exec.Makespan), Is.EqualTo(2.0).Within(Tol).Percent);
    }

    [Test]
    public void Delay_and_join_express_latency_and_barriers()
    {
        var (sim, exec) = Rig(1, 1);
        var g = new TaskGraph();
        int launch = g.AddDelay(Millis(0.5), "launch");
        int x = g.AddCompute(0, Millis(2), "x");
        int y = g.AddCompute(1, Millis(3), "y");
        int barrier = g.AddJoin("barrier");
        int z = g.AddCompute(0, Millis(1), "z");
        g.AddDependency(launch, x);
        g.AddDependency(launch, y);
        g.AddDependency(x, barrier);
        g.AddDependency(y, barrier);
        g.AddDependency(barrier, z);
        exec.Run(g, null, 0);
        sim.Run();
        // 0.5 ms delay, then the slower of 2 and 3 ms, then 1 ms.
        Assert.That(MsOf(exec.TaskEnd(barrier)), Is.EqualTo(3.5).Within(Tol).Percent);
        Assert.That(MsOf(exec.Makespan), Is.EqualTo(4.5).Within(Tol).Percent);
    }

    [Test]
    public void Zero_duration_tasks_finish_without_advancing_time()
    {
        var (sim, exec) = Rig(1);
        var g = new TaskGraph();
        // A long chain also checks that releases do not recurse (no stack overflow).
        int previous = g.AddJoin();
        for (int i = 0; i < 100_000; i++)
        {
            int next = i % 2 == 0 ? g.AddDelay(SimTime.Zero) : g.AddJoin();
            g.AddDependency(previous, next);
            previous = next;
        }
        var done = new RecordingTarget("done");
        exec.Run(g, done, 7, 42);
        Assert.That(exec.IsRunning, Is.False, "finished inside Run: nothing to wait for");
        Assert.That(exec.TaskEnd(previous), Is.EqualTo(SimTime.Zero));
        sim.Run();
        Assert.That(exec.Makespan, Is.EqualTo(SimTime.Zero));
        Assert.That(done.Log, Is.EqualTo(new[] { new DeliveredEvent(0, "done", 7, 42, exec.RunId) }));
    }

    [Test]
    public void Empty_graph_finishes_at_once_and_reports_done()
    {
        var (sim, exec) = Rig();
        var done = new RecordingTarget("done");
        sim.RunUntil(Ms);
        exec.Run(new TaskGraph(), done, 3);
        sim.Run();
        Assert.That(exec.Makespan, Is.EqualTo(SimTime.Zero));
        Assert.That(done.Log, Is.EqualTo(new[] { new DeliveredEvent(Ms.Picoseconds, "done", 3, 0, 1) }));
    }

    [Test]
    public void Done_event_arrives_when_the_last_task_ends()
    {
        var (sim, exec) = Rig(1);
        var g = new TaskGraph();
        g.AddCompute(0, Millis(3));
        var done = new RecordingTarget("done");
        exec.Run(g, done, 5, 11);
        sim.Run();
        Assert.That(done.Log, Is.EqualTo(new[] { new DeliveredEvent(Millis(3).Picoseconds, "done", 5, 11, 1) }));
        Assert.That(exec.RunsCompleted, Is.EqualTo(1));
    }

    [Test]
    public void External_task_finishes_when_its_starter_completes_it()
    {
        var (sim, exec) = Rig(1);
        var starter = new DelayedStarter(sim);
        var g = new TaskGraph();
        int ext = g.AddExternal(starter, Millis(1.5).Picoseconds, "collective");
        int after = g.AddCompute(0, Millis(1), "after");
        g.AddDependency(ext, after);
        exec.Run(g, null, 0);
        Assert.That(exec.IsRunning, Is.True);
        sim.Run();
        Assert.That(starter.Started, Is.EqualTo(new[] { ext }));
        Assert.That(MsOf(exec.TaskEnd(ext)), Is.EqualTo(1.5).Within(Tol).Percent);
        Assert.That(MsOf(exec.Makespan), Is.EqualTo(2.5).Within(Tol).Percent);
    }

    [Test]
    public void External_task_can_report_through_an_event_to_the_executor()
    {
        // The path an existing collective takes: it signals an IEventTarget, and the executor is one.
        var (sim, exec) = Rig();
        var g = new TaskGraph();
        int ext = g.AddExternal(new EventBridgeStarter(sim), Millis(2).Picoseconds);
        int tail = g.AddDelay(Millis(1));
        g.AddDependency(ext, tail);
        exec.Run(g, null, 0);
        sim.Run();
        Assert.That(MsOf(exec.TaskEnd(ext)), Is.EqualTo(2.0).Within(Tol).Percent);
        Assert.That(MsOf(exec.Makespan), Is.EqualTo(3.0).Within(Tol).Percent);
    }

    [Test]
    public void External_task_completed_inside_start_takes_no_time()
    {
        var (sim, exec) = Rig();
        var g = new TaskGraph();
        g.AddExternal(new ImmediateStarter());
        exec.Run(g, null, 0);
        Assert.That(exec.IsRunning, Is.False);
        Assert.That(exec.Makespan, Is.EqualTo(SimTime.Zero));
    }

    [Test]
    public void External_task_that_never_completes_is_reported_by_name()
    {
        var (sim, exec) = Rig();
        var g = new TaskGraph();
        int ext = g.AddExternal(new NeverStarter(), 0, "lost-collective");
        g.AddDependency(ext, g.AddJoin("after"));
        exec.Run(g, null, 0);
        sim.Run();
        var error = Assert.Throws<InvalidOperationException>(exec.ThrowIfUnfinished);
        Assert.That(error!.Message, Does.Contain("2 of 2 tasks unfinished"));
        Assert.That(error.Message, Does.Contain("task 0 'lost-collective' (External, started)"));
        Assert.That(error.Message, Does.Contain("task 1 'after' (Join, waiting for predecessors)"));
    }

    [Test]
    public void Completing_a_task_twice_or_a_non_external_task_is_an_error()
    {
        var (sim, exec) = Rig(1);
        var starter = new ImmediateStarter();
        var g = new TaskGraph();
        int ext = g.AddExternal(new NeverStarter());
        int compute = g.AddCompute(0, Millis(1));
        int later = g.AddExternal(starter);
        g.AddDependency(compute, later);
        exec.Run(g, null, 0);
        Assert.Throws<InvalidOperationException>(() => exec.Complete(compute));
        Assert.Throws<InvalidOperationException>(() => exec.Complete(later), "not started yet");
        Assert.Throws<ArgumentOutOfRangeException>(() => exec.Complete(99));
        exec.Complete(ext);
        Assert.Throws<InvalidOperationException>(() => exec.Complete(ext));
        sim.Run();
        Assert.That(exec.IsRunning, Is.False);
        Assert.Throws<InvalidOperationException>(() => exec.Complete(ext), "no run is going on");
    }

    [Test]
    public void A_cycle_is_reported_naming_its_tasks_before_anything_starts()
    {
        var (sim, exec) = Rig(1);
        var g = new TaskGraph();
        int root = g.AddCompute(0, Millis(1), "root");
        int a = g.AddJoin("a");
        int b = g.AddDelay(Millis(1), "b");
        int c = g.AddJoin("c");
        int behind = g.AddJoin("behind");
        g.AddDependency(root, a);
        g.AddDependency(a, b);
        g.AddDependency(b, c);
        g.AddDependency(c, a);
        g.AddDependency(c, behind);
        var error = Assert.Throws<InvalidOperationException>(() => exec.Run(g, null, 0));
        Assert.That(error!.Message, Is.EqualTo(
            "task graph has a cycle, so 4 of 5 tasks can never start: task 1 'a' -> task 2 'b' -> task 3 'c' -> task 1 'a'"));
        Assert.That(exec.IsRunning, Is.False);
        Assert.That(sim.PendingEvents, Is.Zero, "nothing was started");

        // The graph is still editable, and the executor usable, once the cycle is gone.
        g.Clear();
        g.AddCompute(0, Millis(1));
        exec.Run(g, null, 0);
        sim.Run();
        Assert.That(MsOf(exec.Makespan), Is.EqualTo(1.0).Within(Tol).Percent);
    }

    [Test]
    public void Bad_ids_and_self_edges_are_rejected()
    {
        var (_, exec) = Rig(1);
        var g = new TaskGraph();
        int t = g.AddJoin();
        Assert.Throws<ArgumentException>(() => g.AddDependency(t, t));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.AddDependency(t, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.AddDependency(-1, t));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.AddCompute(-1, Ms));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.AddTransfer(0, -1, [0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => g.AddDelay(new SimTime(-1)));

        var onMissingUnit = new TaskGraph();
        onMissingUnit.AddCompute(1, Ms);
        Assert.That(Assert.Throws<ArgumentException>(() => exec.Run(onMissingUnit, null, 0))!.Message,
            Does.Contain("task 0 runs on compute unit 1, but the resource set has 1"));
        var overMissingLink = new TaskGraph();
        overMissingLink.AddTransfer(0, 10, [0, 3]);
        Assert.That(Assert.Throws<ArgumentException>(() => exec.Run(overMissingLink, null, 0))!.Message,
            Does.Contain("routes over link 3, but network 0 has 1"));
        Assert.That(exec.IsRunning, Is.False);
    }

    [Test]
    public void A_running_graph_cannot_change_and_an_executor_runs_one_graph_at_a_time()
    {
        var (sim, exec) = Rig(1);
        var g = new TaskGraph();
        g.AddCompute(0, Ms);
        exec.Run(g, null, 0);
        Assert.That(g.IsRunning, Is.True);
        Assert.Throws<InvalidOperationException>(() => g.AddJoin());
        Assert.Throws<InvalidOperationException>(g.Clear);
        Assert.Throws<InvalidOperationException>(() => exec.Run(new TaskGraph(), null, 0));
        Assert.Throws<InvalidOperationException>(() => _ = exec.Makespan);
        sim.Run();
        Assert.That(g.IsRunning, Is.False);
        g.Clear();
    }

    [Test]
    public void Two_executors_share_resources_and_may_run_the_same_graph_at_once()
    {
        var sim = new Simulator();
        var resources = new ResourceSet(sim);
        resources.AddComputeUnit(new ComputeUnit(sim, "gpu", 1));
        var first = new TaskGraphExecutor(resources);
        var second = new TaskGraphExecutor(resources);
        var g = new TaskGraph();
        g.AddCompute(0, Millis(3));
        first.Run(g, null, 0);
        second.Run(g, null, 0);
        sim.Run();
        // One stream: the second run's job waits for the first's.
        Assert.That(MsOf(first.Makespan), Is.EqualTo(3.0).Within(Tol).Percent);
        Assert.That(MsOf(second.Makespan), Is.EqualTo(6.0).Within(Tol).Percent);
        Assert.That(g.IsRunning, Is.False);
    }

    [Test]
    public void Released_tasks_start_in_id_order_not_in_edge_order()
    {
        var (sim, exec) = Rig(1);
        var g = new TaskGraph();
        int gate = g.AddDelay(Ms);
        int low = g.AddCompute(0, Millis(2), "low");
        int high = g.AddCompute(0, Millis(3), "high");
        g.AddDependency(gate, high); // added first, but the lower id still gets the stream first
        g.AddDependency(gate, low);
        exec.Run(g, null, 0);
        sim.Run();
        Assert.That(MsOf(exec.TaskStart(low)), Is.EqualTo(1.0).Within(Tol).Percent);
        Assert.That(MsOf(exec.TaskStart(high)), Is.EqualTo(3.0).Within(Tol).Percent);
    }

    [Test]
    public void Ties_are_deterministic_across_runs()
    {
        var first = TieHeavyRun();
        var second = TieHeavyRun();
        Assert.That(first.Times, Has.Count.GreaterThan(50));
        Assert.That(second.Times, Is.EqualTo(first.Times));
        Assert.That(second.Spans, Is.EqualTo(first.Spans));
    }

    [Test]
    public void Rebuilding_and_running_a_graph_does_not_allocate()
    {
        var (sim, exec) = Rig(1, 2);
        var starter = new DelayedStarter(sim);
        var g = new TaskGraph();
        for (int i = 0; i < 50; i++) // warm up: pools, JIT
            RebuildAndRun(sim, exec, g, starter);
        // The quietest of three windows counts: per-run allocation shows in every window, a
        // one-off JIT tier-up of the loop does not repeat.
        const int runsPerWindow = 1000;
        long allocated = long.MaxValue;
        for (int window = 0; window < 3; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < runsPerWindow; i++)
                RebuildAndRun(sim, exec, g, starter);
            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.That(exec.RunsCompleted, Is.EqualTo(50 + 3 * runsPerWindow));
        Assert.That(allocated, Is.LessThan(1024), $"bytes allocated over {runsPerWindow} rebuilds and runs");
    }

    private static void RebuildAndRun(Simulator sim, TaskGraphExecutor exec, TaskGraph g, DelayedStarter starter)
    {
        g.Clear();
        int fetch = g.AddTransfer(0, 4096, [0], "fetch");
        int other = g.AddTransfer(0, 8192, [0], "other");
        int latency = g.AddDelay(new SimTime(1_000), "latency");
        int a = g.AddCompute(0, new SimTime(5_000), "a");
        int b = g.AddCompute(1, new SimTime(3_000), "b");
        int c = g.AddCompute(1, new SimTime(4_000), "c");
        int ext = g.AddExternal(starter, 2_000, "ext");
        int join = g.AddJoin("join");
        g.AddDependency(fetch, a);
        g.AddDependency(latency, b);
        g.AddDependency(other, c);
        g.AddDependency(a, ext);
        g.AddDependency(b, join);
        g.AddDependency(c, join);
        g.AddDependency(ext, join);
        exec.Run(g, null, 0);
        sim.Run();
    }

    private static (List<(long, long, long)> Times, List<TimelineSpan> Spans) TieHeavyRun()
    {
        var sim = new Simulator();
        var timeline = new TimelineRecorder();
        var net = new FlowNetwork(sim, timeline);
        int up = net.AddLink("up", 10 * GBps, 1e-6);
        int spine = net.AddLink("spine", 10 * GBps, 0);
        var units = new[] { new ComputeUnit(sim, "gpu0", 2, timeline), new ComputeUnit(sim, "gpu1", 1, timeline) };
        var exec = new TaskGraphExecutor(sim, units, [net]);
        var starter = new DelayedStarter(sim);
        var g = new TaskGraph(4, 4); // small, so the pools grow during the build
        // Equal durations and equal sizes everywhere, so many events share an instant.
        int previous = g.AddJoin("start");
        for (int layer = 0; layer < 8; layer++)
        {
            int barrier = g.AddJoin($"layer{layer}");
            for (int mb = 0; mb < 3; mb++)
            {
                int attn = g.AddCompute(mb % 2, Millis(1), $"L{layer}.mb{mb}.A");
                int send = g.AddTransfer(0, 1_000_000, mb == 0 ? [up] : [up, spine], $"L{layer}.mb{mb}.send");
                int ext = g.AddExternal(starter, Ms.Picoseconds, $"L{layer}.mb{mb}.x");
                int moe = g.AddCompute(1 - mb % 2, Millis(1), $"L{layer}.mb{mb}.M");
                g.AddDependency(previous, attn);
                g.AddDependency(attn, send);
                g.AddDependency(attn, ext);
                g.AddDependency(send, moe);
                g.AddDependency(ext, moe);
                g.AddDependency(moe, barrier);
            }
            previous = barrier;
        }
        exec.Run(g, null, 0);
        sim.Run();
        var times = new List<(long, long, long)>();
        for (int t = 0; t < g.TaskCount; t++)
            times.Add((exec.TaskReady(t).Picoseconds, exec.TaskStart(t).Picoseconds, exec.TaskEnd(t).Picoseconds));
        return (times, timeline.Spans.ToList());
    }

    /// <summary>Completes each external task after the delay (ps) given as its argument.</summary>
    private sealed class DelayedStarter(Simulator sim) : IExternalTaskStarter, IEventTarget
    {
        private TaskGraphExecutor? _executor;

        /// <summary>First tasks started (capped, so the allocation test's runs add nothing).</summary>
        public List<int> Started { get; } = new();

        public void Start(int taskId, long argument, TaskGraphExecutor executor)
        {
            _executor = executor;
            if (Started.Count < 16)
                Started.Add(taskId);
            sim.ScheduleAfter(new SimTime(argument), this, 0, taskId);
        }

        public void OnEvent(Simulator s, int kind, long arg0, long arg1) => _executor!.Complete((int)arg0);
    }

    /// <summary>Schedules the completion event straight to the executor, as a collective signalling an IEventTarget would.</summary>
    private sealed class EventBridgeStarter(Simulator sim) : IExternalTaskStarter
    {
        public void Start(int taskId, long argument, TaskGraphExecutor executor) =>
            sim.ScheduleAfter(new SimTime(argument), executor, TaskGraphExecutor.TaskCompletedEventKind, taskId, executor.RunId);
    }

    private sealed class ImmediateStarter : IExternalTaskStarter
    {
        public void Start(int taskId, long argument, TaskGraphExecutor executor) => executor.Complete(taskId);
    }

    private sealed class NeverStarter : IExternalTaskStarter
    {
        public void Start(int taskId, long argument, TaskGraphExecutor executor)
        {
        }
    }
}
