using MoESim.Collectives;
using MoESim.Hardware.Topology;
using MoESim.Tests.Engine;
using MoESim.Tests.Topology;

namespace MoESim.Tests.Collectives;

[TestFixture]
public sealed class AllToAllTests
{
    private const double Tol = 1e-6; // relative

    private static (TopologyNetwork Net, AllToAll A2a) Setup(SystemTopology system, IReadOnlyList<int>? ranks = null)
    {
        var net = TopologyNetwork.Create(system);
        return (net, new AllToAll(net, ranks));
    }

    private static long[] Uniform(int n, long bytes)
    {
        var m = new long[n * n];
        for (int s = 0; s < n; s++)
            for (int d = 0; d < n; d++)
                m[s * n + d] = s == d ? 0 : bytes;
        return m;
    }

    private static double Run(TopologyNetwork net, AllToAll a2a, long[] matrix)
    {
        var done = new RecordingTarget("done");
        a2a.Start(matrix, done, 0, 7);
        net.Simulator.Run();
        Assert.That(a2a.IsRunning, Is.False);
        Assert.That(done.SecondsOf(7), Is.EqualTo(a2a.EndTime.Seconds).Within(Tol));
        return a2a.LastSeconds;
    }

    [TestCase(45_000_000L)]
    [TestCase(1_000_000L)]
    public void Uniform_all_to_all_on_one_nvswitch_node_matches_the_hand_calculation(long bytesPerPair)
    {
        // Each GPU sends B to each of 7 peers: 7 flows share its 450 GB/s uplink to the NVSwitch
        // (and 7 share each downlink), all at 450/7 GB/s, all ending together.
        // Time = route latency (0.4 + 0.2 + 0.4 us) + 7·B / 450 GB/s. B = 45 MB: 1 us + 700 us.
        var (net, a2a) = Setup(SystemProfiles.DgxH100);
        double seconds = Run(net, a2a, Uniform(8, bytesPerPair));
        double expected = 1.0e-6 + 7.0 * bytesPerPair / 450e9;
        Assert.That(seconds, Is.EqualTo(expected).Within(Tol));
        Assert.That(a2a.LastBytes, Is.EqualTo(56 * bytesPerPair));
        Assert.That(a2a.LastFlows, Is.EqualTo(56));
    }

    [Test]
    public void Uneven_all_to_all_is_bounded_by_its_hottest_link()
    {
        // GPU 0 sends 100 MB to each peer, everyone else 10 MB. Hottest link: gpu0's uplink with
        // 700 MB: its 7 flows run at 450/7 GB/s all along (each downlink has room: 64.3 GB/s from
        // gpu0 plus 6 small flows), so the exchange ends at 700 MB / 450 GB/s + 1 us = 1556.6 us.
        var (net, a2a) = Setup(SystemProfiles.DgxH100);
        var m = Uniform(8, 10_000_000);
        for (int d = 1; d < 8; d++) m[d] = 100_000_000;
        double seconds = Run(net, a2a, m);
        double hottestLinkBound = 700e6 / 450e9;
        Assert.That(seconds, Is.GreaterThanOrEqualTo(hottestLinkBound));
        Assert.That(seconds, Is.EqualTo(hottestLinkBound + 1.0e-6).Within(Tol));
        // The uniform 10 MB exchange alone would take 7 × 10 MB / 450 GB/s + 1 us: far less.
        Assert.That(seconds, Is.GreaterThan(5 * (70e6 / 450e9 + 1e-6)));
    }

    [Test]
    public void Intra_node_traffic_never_touches_a_nic()
    {
        // The 8 GPUs of node 0 of a 2-node cluster exchange data: NVLink carries it all.
        var system = SystemProfiles.DgxH100TwoNodes;
        var (net, a2a) = Setup(system, Enumerable.Range(0, 8).ToArray());
        Run(net, a2a, Uniform(8, 3_000_000));
        Assert.That(net.BytesCarriedTouching(TopologyNodeKind.Nic), Is.Zero);
        // Every byte crosses two NVLink directions (up to the switch, down to the peer).
        Assert.That(net.BytesCarriedTouching(TopologyNodeKind.Switch), Is.EqualTo(2L * 56 * 3_000_000));
    }

    [Test]
    public void Two_node_all_to_all_is_limited_by_the_nics()
    {
        // 16 GPUs, B = 10 MB per pair. Each GPU sends 8 flows off-node through its own NIC: the
        // 50 GB/s IB port is the bottleneck (PCIe has 63 GB/s), 6.25 GB/s per flow; its 7
        // NVLink flows finish long before. Time = 8·B / 50 GB/s + inter-node route latency
        // (pcie 1.0 + ib 1.0 + switch 0.2 + ib 1.0 + pcie 1.0 = 4.2 us) = 1600 + 4.2 us.
        var (net, a2a) = Setup(SystemProfiles.DgxH100TwoNodes);
        double seconds = Run(net, a2a, Uniform(16, 10_000_000));
        Assert.That(seconds, Is.EqualTo(8 * 10e6 / 50e9 + 4.2e-6).Within(Tol));
        // NIC-touching links: 4 per inter-node byte (pcie out, ib up, ib down, pcie in).
        Assert.That(net.BytesCarriedTouching(TopologyNodeKind.Nic), Is.EqualTo(4L * 16 * 8 * 10_000_000));
    }

    [Test]
    public void Empty_exchange_ends_at_once_and_an_instance_can_be_reused()
    {
        var (net, a2a) = Setup(SystemProfiles.DgxH100);
        Assert.That(Run(net, a2a, new long[64]), Is.Zero);
        double first = Run(net, a2a, Uniform(8, 1_000_000));
        double second = Run(net, a2a, Uniform(8, 1_000_000));
        Assert.That(second, Is.EqualTo(first).Within(Tol));
    }

    [Test]
    public void Wrong_matrix_size_or_negative_bytes_throw()
    {
        var (_, a2a) = Setup(SystemProfiles.DgxH100);
        Assert.That(() => a2a.Start(new long[63], null), Throws.ArgumentException);
        var m = new long[64];
        m[3] = -1;
        Assert.That(() => a2a.Start(m, null), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
