using MoESim.Engine;
using MoESim.Units;

namespace MoESim.Tests.Engine;

[TestFixture]
public class FlowNetworkTests
{
    private const double Tol = 1e-9; // percent
    private const double GB = 1e9;

    [Test]
    public void Two_flows_share_a_link_and_the_survivor_speeds_up()
    {
        // 1 GB/s link; 1 GB and 2 GB start together at 0.5 GB/s each. The first ends at 2 s;
        // the second then has 1 GB left at the full 1 GB/s and ends at 3 s.
        var sim = new Simulator();
        var net = new FlowNetwork(sim);
        int link = net.AddLink("l", 1 * GB, 0);
        var done = new RecordingTarget("done");
        int a = net.StartFlow((long)(1 * GB), [link], done, 0, 1);
        int b = net.StartFlow((long)(2 * GB), [link], done, 0, 2);
        sim.RunUntil(SimTime.FromSeconds(1));
        Assert.That(net.RateBytesPerSecond(a), Is.EqualTo(0.5 * GB).Within(Tol).Percent);
        Assert.That(net.RateBytesPerSecond(b), Is.EqualTo(0.5 * GB).Within(Tol).Percent);
        sim.RunUntil(SimTime.FromSeconds(2.5));
        Assert.That(net.RateBytesPerSecond(b), Is.EqualTo(1 * GB).Within(Tol).Percent);
        sim.Run();
        Assert.That(done.SecondsOf(1), Is.EqualTo(2.0).Within(Tol).Percent);
        Assert.That(done.SecondsOf(2), Is.EqualTo(3.0).Within(Tol).Percent);
        Assert.That(net.Links[link].BytesCarried, Is.EqualTo(3_000_000_000L));
        Assert.That(net.Links[link].BusyTime.Seconds, Is.EqualTo(3.0).Within(Tol).Percent);
        Assert.That(net.Links[link].BandwidthUtilisation, Is.EqualTo(1.0).Within(Tol).Percent);
    }

    [Test]
    public void Flow_joining_later_shares_from_then_on()
    {
        // A (2 GB) alone for 1 s moves 1 GB. B (0.5 GB) joins: 0.5 GB/s each, B ends at 2 s,
        // A has 0.5 GB left at 1 GB/s and ends at 2.5 s.
        var sim = new Simulator();
        var net = new FlowNetwork(sim);
        int link = net.AddLink("l", 1 * GB, 0);
        var done = new RecordingTarget("done");
        net.StartFlow((long)(2 * GB), [link], done, 0, 1);
        sim.RunUntil(SimTime.FromSeconds(1));
        net.StartFlow((long)(0.5 * GB), [link], done, 0, 2);
        sim.Run();
        Assert.That(done.SecondsOf(2), Is.EqualTo(2.0).Within(Tol).Percent);
        Assert.That(done.SecondsOf(1), Is.EqualTo(2.5).Within(Tol).Percent);
    }

    [Test]
    public void Three_link_max_min_fair_case()
    {
        // Capacities L1 = 10, L2 = 6, L3 = 8 GB/s. Routes: f1 [L1], f2 [L1, L2], f3 [L2, L3], f4 [L3].
        // Fair shares: L1 10/2 = 5, L2 6/2 = 3, L3 8/2 = 4, so L2 is the bottleneck: f2 = f3 = 3.
        // Then L1 has 7 left for f1, L3 has 5 left for f4. Rates: 7, 3, 3, 5.
        // Sizes 7, 3, 6, 10 GB: f1 and f2 end at 1 s. Then f3 (3 GB left) and f4 (5 GB left) share
        // L3 at 4 each (L2 alone would allow 6): f3 ends at 1.75 s; f4 has 2 GB left at 8 GB/s: 2.0 s.
        var sim = new Simulator();
        var net = new FlowNetwork(sim);
        int l1 = net.AddLink("L1", 10 * GB, 0);
        int l2 = net.AddLink("L2", 6 * GB, 0);
        int l3 = net.AddLink("L3", 8 * GB, 0);
        var done = new RecordingTarget("done");
        int f1 = net.StartFlow((long)(7 * GB), [l1], done, 0, 1);
        int f2 = net.StartFlow((long)(3 * GB), [l1, l2], done, 0, 2);
        int f3 = net.StartFlow((long)(6 * GB), [l2, l3], done, 0, 3);
        int f4 = net.StartFlow((long)(10 * GB), [l3], done, 0, 4);
        sim.RunUntil(SimTime.FromSeconds(0.5));
        Assert.That(net.RateBytesPerSecond(f1), Is.EqualTo(7 * GB).Within(Tol).Percent);
        Assert.That(net.RateBytesPerSecond(f2), Is.EqualTo(3 * GB).Within(Tol).Percent);
        Assert.That(net.RateBytesPerSecond(f3), Is.EqualTo(3 * GB).Within(Tol).Percent);
        Assert.That(net.RateBytesPerSecond(f4), Is.EqualTo(5 * GB).Within(Tol).Percent);
        sim.RunUntil(SimTime.FromSeconds(1.5));
        Assert.That(net.RateBytesPerSecond(f3), Is.EqualTo(4 * GB).Within(Tol).Percent);
        Assert.That(net.RateBytesPerSecond(f4), Is.EqualTo(4 * GB).Within(Tol).Percent);
        sim.Run();
        Assert.That(done.SecondsOf(1), Is.EqualTo(1.0).Within(Tol).Percent);
        Assert.That(done.SecondsOf(2), Is.EqualTo(1.0).Within(Tol).Percent);
        Assert.That(done.SecondsOf(3), Is.EqualTo(1.75).Within(Tol).Percent);
        Assert.That(done.SecondsOf(4), Is.EqualTo(2.0).Within(Tol).Percent);
        // Simultaneous completions are notified in start order.
        Assert.That(done.Log.Select(e => e.Arg0), Is.EqualTo(new long[] { 1, 2, 3, 4 }));
        Assert.That(net.Links[l2].BytesCarried, Is.EqualTo(9_000_000_000L));
        Assert.That(net.Links[l2].BusyTime.Seconds, Is.EqualTo(1.75).Within(Tol).Percent);
    }

    [Test]
    public void Link_latency_is_added_once_per_link()
    {
        // 1 MB over 1 GB/s takes 1 ms; latencies 1 us + 2 us are paid first.
        var sim = new Simulator();
        var net = new FlowNetwork(sim);
        int a = net.AddLink("a", 1 * GB, 1e-6);
        int b = net.AddLink("b", 2 * GB, 2e-6);
        var done = new RecordingTarget("done");
        net.StartFlow(1_000_000, [a], done, 0, 1);
        sim.Run();
        Assert.That(done.SecondsOf(1), Is.EqualTo(1e-6 + 1e-3).Within(Tol).Percent);

        var sim2 = new Simulator();
        var net2 = new FlowNetwork(sim2);
        a = net2.AddLink("a", 1 * GB, 1e-6);
        b = net2.AddLink("b", 2 * GB, 2e-6);
        var done2 = new RecordingTarget("done");
        int id = net2.StartFlow(1_000_000, [a, b], done2, 0, 2);
        sim2.RunUntil(SimTime.FromSeconds(2e-6));
        Assert.That(net2.RateBytesPerSecond(id), Is.EqualTo(0.0), "still paying latency");
        Assert.That(net2.ActiveFlowCount, Is.EqualTo(0));
        sim2.Run();
        Assert.That(done2.SecondsOf(2), Is.EqualTo(3e-6 + 1e-3).Within(Tol).Percent);
        // Busy time counts transfer only, not latency.
        Assert.That(net2.Links[b].BusyTime.Seconds, Is.EqualTo(1e-3).Within(Tol).Percent);
    }

    [Test]
    public void Zero_byte_and_local_flows_complete_after_latency_alone()
    {
        var sim = new Simulator();
        var net = new FlowNetwork(sim);
        int l = net.AddLink("l", 1 * GB, 5e-6);
        var done = new RecordingTarget("done");
        Assert.That(net.StartFlow(0, [l], done, 0, 1), Is.EqualTo(-1));
        Assert.That(net.StartFlow(1000, ReadOnlySpan<int>.Empty, done, 0, 2), Is.EqualTo(-1));
        sim.Run();
        Assert.That(done.SecondsOf(1), Is.EqualTo(5e-6).Within(Tol).Percent);
        Assert.That(done.SecondsOf(2), Is.EqualTo(0.0));
    }

    [Test]
    public void Many_equal_flows_finish_together_and_records_are_reused()
    {
        // 10 flows of 1 MB on one 10 GB/s link: 1 GB/s each, all end at 1 ms. Repeat to check
        // that pooled records give the same answer.
        var sim = new Simulator();
        var net = new FlowNetwork(sim);
        int l = net.AddLink("l", 10 * GB, 0);
        var done = new RecordingTarget("done");
        for (int round = 0; round < 3; round++)
        {
            var start = sim.Now.Seconds;
            for (int i = 0; i < 10; i++)
                net.StartFlow(1_000_000, [l], done, 0, round * 10 + i);
            sim.Run();
            Assert.That(sim.Now.Seconds - start, Is.EqualTo(1e-3).Within(1e-6).Percent);
        }
        Assert.That(done.Log, Has.Count.EqualTo(30));
        Assert.That(net.FlowsCompleted, Is.EqualTo(30));
        Assert.That(net.InFlightFlowCount, Is.EqualTo(0));
    }

    [Test]
    public void Invalid_inputs_throw()
    {
        var sim = new Simulator();
        var net = new FlowNetwork(sim);
        Assert.Throws<ArgumentOutOfRangeException>(() => net.AddLink("x", 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.AddLink("x", 1e9, -1));
        int l = net.AddLink("l", 1e9, 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => net.StartFlow(-1, [l], null));
        Assert.Throws<ArgumentOutOfRangeException>(() => net.StartFlow(1, [l + 1], null));
    }

    [Test]
    public void Steady_state_flows_do_not_allocate()
    {
        var sim = new Simulator();
        var net = new FlowNetwork(sim);
        int a = net.AddLink("a", 1 * GB, 1e-6);
        int b = net.AddLink("b", 2 * GB, 0);
        var driver = new FlowDriver(net, a, b);
        sim.Schedule(SimTime.Zero, driver, 0);
        sim.RunUntil(SimTime.FromSeconds(0.01)); // warm up: pools and buffers reach size
        long before = GC.GetAllocatedBytesForCurrentThread();
        long completedBefore = net.FlowsCompleted;
        sim.RunUntil(SimTime.FromSeconds(0.1));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(net.FlowsCompleted - completedBefore, Is.GreaterThan(1000));
        Assert.That(allocated, Is.LessThan(1024), "bytes allocated in steady state");
    }

    /// <summary>Keeps three overlapping flows going: each completion starts a new one.</summary>
    private sealed class FlowDriver(FlowNetwork net, int a, int b) : IEventTarget
    {
        private readonly int[] _routeA = [a];
        private readonly int[] _routeAb = [a, b];

        public void OnEvent(Simulator sim, int kind, long arg0, long arg1)
        {
            if (kind == 0)
            {
                for (int i = 1; i <= 3; i++)
                    Start(i);
                return;
            }
            Start(arg0);
        }

        private void Start(long which) =>
            net.StartFlow(10_000 * which, which == 2 ? _routeAb : _routeA, this, 1, which);
    }
}
