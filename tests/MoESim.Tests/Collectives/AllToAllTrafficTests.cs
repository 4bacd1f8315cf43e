using MoESim.Collectives;
using MoESim.Hardware.Topology;
using MoESim.Tests.Engine;
using MoESim.Tests.Topology;

namespace MoESim.Tests.Collectives;

/// <summary>
/// Rail-forwarded all-to-all given leg by leg: a token bound for two GPUs of another machine
/// crosses the fabric once and is forwarded twice, where the plain matrix sends it across twice.
/// Two DGX H100 nodes: 50 GB/s per IB port, 4.2 us inter-node route, 450 GB/s NVLink, 1 us.
/// </summary>
[TestFixture]
public sealed class AllToAllTrafficTests
{
    private const double Tol = 1e-6; // relative
    private const long B = 10_000_000;

    private static (TopologyNetwork Net, AllToAll A2a) TwoNodes()
    {
        var net = TopologyNetwork.Create(SystemProfiles.DgxH100TwoNodes);
        return (net, new AllToAll(net, null, AllToAllAlgorithm.RailForwarded));
    }

    private static double Run(TopologyNetwork net, Action start)
    {
        start();
        net.Simulator.Run();
        return net.Simulator.Now.Seconds;
    }

    [Test]
    public void One_fabric_crossing_then_two_forwards()
    {
        // GPU 0 (node 0) sends B to GPUs 9 and 10 (node 1) through its rail peer there, GPU 8:
        // B / 50 GB/s + 4.2 us = 204.2 us, then GPU 8 forwards B to each over its NVLink uplink
        // (two flows share 450 GB/s): 2·B / 450 GB/s + 1 us = 45.4 us.
        var (net, a2a) = TwoNodes();
        var legs = new AllToAllTraffic(16, 2);
        legs.Fabric[0 * 2 + 1] = B;
        legs.Forward[8 * 16 + 9] = B;
        legs.Forward[8 * 16 + 10] = B;
        double seconds = Run(net, () => a2a.Start(legs, new RecordingTarget("done")));
        Assert.That(seconds, Is.EqualTo(B / 50e9 + 4.2e-6 + 2 * B / 450e9 + 1e-6).Within(Tol));
        Assert.That(net.BytesCarriedTouching(TopologyNodeKind.Nic), Is.EqualTo(4 * B), "pcie out, ib up, ib down, pcie in: once");
        Assert.That(a2a.LastMatrixBytes, Is.EqualTo(B), "the forwarded copies are the same bytes");
        Assert.That(a2a.LastFlows, Is.EqualTo(3));
    }

    [Test]
    public void The_plain_matrix_of_the_same_exchange_crosses_twice()
    {
        // The contrast: a matrix cannot say the two shares are one token, so 2·B cross the IB
        // port: 2·B / 50 GB/s + 4.2 us, then the same forwarding step.
        var (net, a2a) = TwoNodes();
        var matrix = new long[16 * 16];
        matrix[0 * 16 + 9] = B;
        matrix[0 * 16 + 10] = B;
        double seconds = Run(net, () => a2a.Start(matrix, new RecordingTarget("done")));
        Assert.That(seconds, Is.EqualTo(2 * B / 50e9 + 4.2e-6 + 2 * B / 450e9 + 1e-6).Within(Tol));
        Assert.That(net.BytesCarriedTouching(TopologyNodeKind.Nic), Is.EqualTo(8 * B));
    }

    [Test]
    public void Local_legs_run_beside_the_fabric()
    {
        // GPU 1 sends B to GPU 0 over NVLink (1 us + B / 450 GB/s = 23.2 us) while GPU 0's fabric
        // flow (204.2 us) runs: the exchange ends with the fabric flow (no forwarding).
        var (net, a2a) = TwoNodes();
        var legs = new AllToAllTraffic(16, 2);
        legs.Local[1 * 16 + 0] = B;
        legs.Fabric[0 * 2 + 1] = B;
        double seconds = Run(net, () => a2a.Start(legs, new RecordingTarget("done")));
        Assert.That(seconds, Is.EqualTo(B / 50e9 + 4.2e-6).Within(Tol));
        Assert.That(a2a.LastMatrixBytes, Is.EqualTo(2 * B));
    }

    [Test]
    public void Gather_legs_run_beside_the_fabric_and_are_not_counted_again()
    {
        // Combine: GPUs 9 and 10 send B each to their rail GPU 8 over NVLink (two flows into one
        // downlink: 2·B / 450 GB/s + 1 us = 45.4 us) while GPU 8 sends the reduced B across the
        // fabric to GPU 0 (204.2 us): the fabric sets the time, and B counts once.
        var (net, a2a) = TwoNodes();
        var legs = new AllToAllTraffic(16, 2);
        legs.Gather[9 * 16 + 8] = B;
        legs.Gather[10 * 16 + 8] = B;
        legs.Fabric[8 * 2 + 0] = B;
        double seconds = Run(net, () => a2a.Start(legs, new RecordingTarget("done")));
        Assert.That(seconds, Is.EqualTo(B / 50e9 + 4.2e-6).Within(Tol));
        Assert.That(a2a.LastMatrixBytes, Is.EqualTo(B));
        Assert.That(a2a.LastBytes, Is.EqualTo(3 * B), "every flow's payload");
    }

    [Test]
    public void Legs_that_do_not_fit_the_rails_are_refused()
    {
        var (_, a2a) = TwoNodes();
        var across = new AllToAllTraffic(16, 2);
        across.Local[0 * 16 + 9] = 1;
        Assert.That(() => a2a.Start(across, null), Throws.ArgumentException.With.Message.Contains("different machines"));
        var home = new AllToAllTraffic(16, 2);
        home.Fabric[0 * 2 + 0] = 1;
        Assert.That(() => a2a.Start(home, null), Throws.ArgumentException.With.Message.Contains("no fabric leg to its own machine"));
        var orphan = new AllToAllTraffic(16, 2);
        orphan.Forward[8 * 16 + 9] = 1; // nothing arrives at GPU 8
        Assert.That(() => a2a.Start(orphan, null), Throws.ArgumentException.With.Message.Contains("no fabric flow reaches it"));
        var gatherAcross = new AllToAllTraffic(16, 2);
        gatherAcross.Gather[9 * 16 + 0] = 1;
        Assert.That(() => a2a.Start(gatherAcross, null), Throws.ArgumentException.With.Message.Contains("different machines"));
        var negative = new AllToAllTraffic(16, 2);
        negative.Fabric[0 * 2 + 1] = -1;
        Assert.That(() => a2a.Start(negative, null), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => a2a.Start(new AllToAllTraffic(8, 1), null), Throws.ArgumentException.With.Message.Contains("8 ranks on 1 machines"));
        Assert.That(a2a.IsRunning, Is.False);
    }

    [Test]
    public void Legs_need_the_rail_algorithm()
    {
        var net = TopologyNetwork.Create(SystemProfiles.DgxH100);
        var a2a = new AllToAll(net, null, AllToAllAlgorithm.RailForwarded); // one node: falls back to direct
        Assert.That(() => a2a.Start(new AllToAllTraffic(8, 1), null), Throws.InvalidOperationException);
    }
}
