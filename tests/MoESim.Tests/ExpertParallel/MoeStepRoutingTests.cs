using MoESim.Collectives;
using MoESim.Parallelism;
using MoESim.Serving.ExpertParallel;
using MoESim.Tests.Topology;

namespace MoESim.Tests.ExpertParallel;

/// <summary>
/// What a step's tokens send, counted by hand. Two DGX H100 nodes (GPUs 0-7 and 8-15), one
/// expert per GPU (expert e on GPU e), top-4, B bytes per copy; every token lives on GPU 0,
/// whose rail peer on node 1 is GPU 8.
/// </summary>
[TestFixture]
public sealed class MoeStepRoutingTests
{
    private const long B = 100;
    private const int N = 16;

    private static MoeStepRouting Plan(DispatchPayload payload, params int[][] tokens)
    {
        var net = TopologyNetwork.Create(SystemProfiles.DgxH100TwoNodes);
        var a2a = new AllToAll(net, null, AllToAllAlgorithm.RailForwarded);
        var routing = new MoeStepRouting(ExpertPlacement.Contiguous(1, N, N), 4, B, payload, a2a);
        routing.Plan(tokens.SelectMany(t => t).ToArray(), new int[tokens.Length], tokens.Length);
        return routing;
    }

    private static long At(long[] matrix, int row, int column, int columns) => matrix[row * columns + column];

    [Test]
    public void Per_device_payload_crosses_to_a_machine_once_and_forwards_per_gpu()
    {
        // Token A: experts 0 (home), 1 (same node), 9 and 10 (node 1). Token B: 8 (the rail peer
        // itself), 9, 2, 3.
        var routing = Plan(DispatchPayload.PerDevice, [0, 1, 9, 10], [8, 9, 2, 3]);
        Assert.That(routing.PlansRailLegs, Is.True);
        Assert.That(() => routing.DispatchBytes(0), Throws.InvalidOperationException, "the legs replace the matrix");
        var d = routing.DispatchLegs(0);
        // NVLink inside node 0: A to GPU 1, B to GPUs 2 and 3.
        Assert.That((At(d.Local, 0, 1, N), At(d.Local, 0, 2, N), At(d.Local, 0, 3, N)), Is.EqualTo((B, B, B)));
        // Fabric: each token once to node 1.
        Assert.That(At(d.Fabric, 0, 1, 2), Is.EqualTo(2 * B));
        // GPU 8 forwards A to 9 and 10, B to 9 (B's expert 8 is GPU 8 itself: nothing to forward).
        Assert.That((At(d.Forward, 8, 9, N), At(d.Forward, 8, 10, N), At(d.Forward, 8, 8, N)), Is.EqualTo((2 * B, B, 0L)));
        Assert.That(d.Local.Sum() + d.Fabric.Sum() + d.Forward.Sum(), Is.EqualTo(8 * B));

        var c = routing.CombineLegs(0);
        // Back: GPUs 9 and 10 reduce onto GPU 8 over NVLink, GPU 8 sends one copy per token home.
        Assert.That((At(c.Gather, 9, 8, N), At(c.Gather, 10, 8, N)), Is.EqualTo((2 * B, B)));
        Assert.That(At(c.Fabric, 8, 0, 2), Is.EqualTo(2 * B));
        Assert.That((At(c.Local, 1, 0, N), At(c.Local, 2, 0, N), At(c.Local, 3, 0, N)), Is.EqualTo((B, B, B)));
        Assert.That(c.Forward.Sum(), Is.Zero, "the copy lands on the home GPU itself");
        Assert.That(c.Local.Sum() + c.Fabric.Sum() + c.Gather.Sum(), Is.EqualTo(8 * B));
        // Each direction counts a copy once per GPU within the home node and once per remote
        // machine: local 3B + fabric 2B both ways; forward and gather carry the fabric copies.
        Assert.That((d.Local.Sum() + d.Fabric.Sum(), c.Local.Sum() + c.Fabric.Sum()), Is.EqualTo((5 * B, 5 * B)));
    }

    [Test]
    public void Another_local_index_uses_its_own_rail_and_both_directions_complete()
    {
        // A token on GPU 3 (local index 3) with experts on GPUs 11, 12 and 13 of node 1: its rail
        // peer there is GPU 11, which runs one of the experts itself and forwards to 12 and 13.
        var net = TopologyNetwork.Create(SystemProfiles.DgxH100TwoNodes);
        var a2a = new AllToAll(net, null, AllToAllAlgorithm.RailForwarded);
        var routing = new MoeStepRouting(ExpertPlacement.Contiguous(1, N, N), 3, B, DispatchPayload.PerDevice, a2a);
        routing.Plan(new[] { 11, 12, 13 }, new[] { 3 }, 1);
        var d = routing.DispatchLegs(0);
        var c = routing.CombineLegs(0);
        Assert.That(At(d.Fabric, 3, 1, 2), Is.EqualTo(B));
        Assert.That((At(d.Forward, 11, 12, N), At(d.Forward, 11, 13, N)), Is.EqualTo((B, B)));
        Assert.That((At(c.Gather, 12, 11, N), At(c.Gather, 13, 11, N), At(c.Fabric, 11, 0, 2)), Is.EqualTo((B, B, B)));
        Assert.That(a2a.RailPeer(3, 1), Is.EqualTo(11));
        Assert.That(a2a.RailPeer(11, 0), Is.EqualTo(3), "the combine copy lands on the home GPU");

        foreach (var legs in new[] { d, c })
        {
            a2a.Start(legs, null);
            net.Simulator.Run();
            Assert.That(a2a.IsRunning, Is.False, "every flow arrived");
            Assert.That(a2a.LastMatrixBytes, Is.EqualTo(B), "one copy crossed, whichever way");
        }
    }

    [Test]
    public void Per_device_matrix_counts_each_receiving_gpu_once()
    {
        // Two experts per GPU (16 experts on 8 GPUs of one node, direct): a token with experts
        // 2 and 3 (both GPU 1) and 4 (GPU 2) sends 2 copies per-device, 3 per-expert.
        var placement = ExpertPlacement.Contiguous(1, 16, 8);
        foreach (var (payload, toGpu1) in new[] { (DispatchPayload.PerDevice, B), (DispatchPayload.PerExpert, 2 * B) })
        {
            var routing = new MoeStepRouting(placement, 3, B, payload);
            routing.Plan(new[] { 2, 3, 4 }, new[] { 0 }, 1);
            Assert.That(routing.PlansRailLegs, Is.False);
            var m = routing.DispatchBytes(0).ToArray();
            Assert.That((At(m, 0, 1, 8), At(m, 0, 2, 8)), Is.EqualTo((toGpu1, B)), payload.ToString());
            Assert.That(routing.PairsPerDevice(0).ToArray(), Is.EqualTo(new[] { 0, 2, 1, 0, 0, 0, 0, 0 }), "compute is per pair either way");
        }
    }

    [Test]
    public void Per_expert_payload_plans_no_legs()
    {
        var routing = Plan(DispatchPayload.PerExpert, [0, 1, 9, 10]);
        Assert.That(routing.PlansRailLegs, Is.False);
        Assert.That(() => routing.DispatchLegs(0), Throws.InvalidOperationException);
        Assert.That(routing.DispatchBytes(0).ToArray().Sum(), Is.EqualTo(3 * B));
    }
}
