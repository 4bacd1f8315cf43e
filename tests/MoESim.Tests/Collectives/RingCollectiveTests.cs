using MoESim.Collectives;
using MoESim.Tests.Engine;
using MoESim.Tests.Topology;

namespace MoESim.Tests.Collectives;

[TestFixture]
public sealed class RingCollectiveTests
{
    private const double Tol = 1e-6; // relative
    private const double HopLatency = 1.0e-6;   // gpu -> nvswitch -> gpu, 0.4 + 0.2 + 0.4 us
    private const double NvlinkBytesPerSecond = 450e9;

    [TestCase(80_000_000L, 8)]
    [TestCase(16_000_000L, 2)]
    [TestCase(16_000_000L, 4)]
    public void Ring_all_reduce_on_nvswitch_takes_2_p_minus_1_chunk_steps(long bytes, int ranks)
    {
        // 2(p-1) phases; each GPU sends one B/p chunk per phase over its own uplink.
        // p = 8, B = 80 MB: 14 × (1 us + 10 MB / 450 GB/s) = 14 × 23.22 us = 325.1 us.
        var net = TopologyNetwork.Create(SystemProfiles.DgxH100);
        var ar = new RingAllReduce(net, Enumerable.Range(0, ranks).ToArray());
        var done = new RecordingTarget("done");
        ar.Start(bytes, done, 0, 1);
        net.Simulator.Run();
        double chunk = bytes / (double)ranks;
        double expected = 2 * (ranks - 1) * (HopLatency + chunk / NvlinkBytesPerSecond);
        Assert.That(ar.LastSeconds, Is.EqualTo(expected).Within(Tol));
        Assert.That(done.SecondsOf(1), Is.EqualTo(expected).Within(Tol));
        Assert.That(ar.LastBytes, Is.EqualTo(2L * (ranks - 1) * ranks * (bytes / ranks)));
    }

    [Test]
    public void Ring_all_gather_on_nvswitch_takes_p_minus_1_shard_steps()
    {
        // 7 phases × (1 us + 4.5 MB / 450 GB/s = 10 us) = 77 us.
        var net = TopologyNetwork.Create(SystemProfiles.DgxH100);
        var ag = new RingAllGather(net);
        ag.Start(4_500_000, null);
        net.Simulator.Run();
        Assert.That(ag.LastSeconds, Is.EqualTo(7 * (HopLatency + 10e-6)).Within(Tol));
        Assert.That(ag.LastFlows, Is.EqualTo(7 * 8));
    }

    [Test]
    public void Ring_across_two_nodes_is_paced_by_the_two_nic_crossings()
    {
        // Ring 0..15: 14 hops over NVLink and two (7->8, 15->0) over the NICs at 50 GB/s with
        // 4.2 us latency. Each synchronous phase waits for the slow crossing:
        // 2·15 × (4.2 us + (16 MB / 16) / 50 GB/s) = 30 × 24.2 us = 726 us.
        var net = TopologyNetwork.Create(SystemProfiles.DgxH100TwoNodes);
        var ar = new RingAllReduce(net);
        ar.Start(16_000_000, null);
        net.Simulator.Run();
        Assert.That(ar.LastSeconds, Is.EqualTo(30 * (4.2e-6 + 1e6 / 50e9)).Within(Tol));
    }

    [Test]
    public void Single_rank_collectives_finish_immediately()
    {
        var net = TopologyNetwork.Create(SystemProfiles.DgxH100);
        var ar = new RingAllReduce(net, new[] { 3 });
        ar.Start(1_000_000, null);
        net.Simulator.Run();
        Assert.That(ar.LastSeconds, Is.Zero);
        Assert.That(ar.LastBytes, Is.Zero);
    }

    [Test]
    public void Bad_participants_throw()
    {
        var net = TopologyNetwork.Create(SystemProfiles.DgxH100);
        Assert.That(() => new RingAllReduce(net, new[] { 0, 8 }), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => new RingAllGather(net, new[] { 1, 1 }), Throws.ArgumentException);
        Assert.That(() => new AllToAll(net, Array.Empty<int>()), Throws.ArgumentException);
    }
}
