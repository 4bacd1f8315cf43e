using MoESim.Collectives;
using MoESim.Hardware.Topology;
using MoESim.Parallelism;
using MoESim.Randomness;
using MoESim.Serving.ExpertParallel;
using MoESim.Tests.Config;
using MoESim.Tests.Engine;
using MoESim.Tests.Topology;
using MoESim.Traces;

namespace MoESim.Tests.Collectives;

/// <summary>
/// The aggregated all-to-all (per-link loads, one event) against hand calculations and against
/// the flow model it replaces at scale. Measured (2026-12-08, DGX H100 profiles, aggregated
/// time / flow time): uniform exchanges and every MoE combine 1.0000; MoE dispatch legs
/// (per-device payload, 1 to 512 tokens per GPU, Zipf 0 to 1.2, two and four nodes)
/// 0.983-1.004; MoE per-expert matrices (4 to 256 tokens per GPU, one to four nodes, direct and
/// rail-forwarded) 0.976-1.003; matrices with hot receivers 0.996-1.000 direct, 0.959-1.003
/// rail-forwarded; random heavy-tailed matrices (entries 1e7 × U^k, k 0.5 to 5, 40 seeds each)
/// 0.940-1.000 direct and 0.919-1.030 rail-forwarded. A direct exchange is never slower than
/// the flows: its busiest link's load is a lower bound, which max-min fair sharing misses when
/// it holds that link's flows back at other links for a while (heavy-tailed matrices above all).
/// </summary>
[TestFixture]
public sealed class AggregatedAllToAllTests
{
    private const double ExactPercent = 1e-4;   // the models agree up to picosecond rounding
    private const double TolerancePercent = 3;  // MoE traffic, see the summary
    private const double HeavyTailPercent = 9;  // random heavy-tailed matrices, see the summary

    private static (double Seconds, AllToAll A2a, TopologyNetwork Net) RunMatrix(SystemTopology system, AllToAllAlgorithm algorithm, CollectiveModel model, long[] matrix)
    {
        var net = TopologyNetwork.Create(system);
        var a2a = new AllToAll(net, null, algorithm, model);
        var done = new RecordingTarget("done");
        a2a.Start(matrix, done, 0, 7);
        net.Simulator.Run();
        Assert.That(a2a.IsRunning, Is.False);
        Assert.That(done.SecondsOf(7), Is.EqualTo(a2a.EndTime.Seconds).Within(1e-12));
        return (a2a.LastSeconds, a2a, net);
    }

    private static (double Flows, double Aggregated) Both(SystemTopology system, AllToAllAlgorithm algorithm, long[] matrix)
    {
        var (flows, f, fn) = RunMatrix(system, algorithm, CollectiveModel.Flows, matrix);
        var (aggregated, a, an) = RunMatrix(system, algorithm, CollectiveModel.Aggregated, matrix);
        Assert.That(a.Model, Is.EqualTo(CollectiveModel.Aggregated));
        // The same transfers and bytes, on the same links; only the timing differs.
        Assert.That((a.LastMatrixBytes, a.LastBytes, a.LastFlows), Is.EqualTo((f.LastMatrixBytes, f.LastBytes, f.LastFlows)));
        Assert.That(an.BytesCarriedTouching(TopologyNodeKind.Nic), Is.EqualTo(fn.BytesCarriedTouching(TopologyNodeKind.Nic)));
        Assert.That(an.BytesCarriedTouching(TopologyNodeKind.Switch), Is.EqualTo(fn.BytesCarriedTouching(TopologyNodeKind.Switch)));
        return (flows, aggregated);
    }

    private static long[] Uniform(int n, long bytes)
    {
        var m = new long[n * n];
        for (int s = 0; s < n; s++)
            for (int d = 0; d < n; d++)
                m[s * n + d] = s == d ? 0 : bytes;
        return m;
    }

    // Off-diagonal entries of up to scale bytes, skewed toward small ones by the exponent.
    private static long[] Skewed(int n, ulong seed, double exponent, long scale)
    {
        var rng = new SeededRandom(seed);
        var m = new long[n * n];
        for (int s = 0; s < n; s++)
            for (int d = 0; d < n; d++)
                if (s != d) m[s * n + d] = 1 + (long)(scale * Math.Pow(rng.NextDouble(), exponent));
        return m;
    }

    // Four GPUs, each with one 100 GB/s, 1 us duplex link into a switch of 0.5 us.
    private static SystemTopology FourOnASwitch()
    {
        var b = new SystemTopologyBuilder();
        var h100 = MoESim.Hardware.DeviceProfileLoader.Load(Path.Combine(RepoPaths.HardwareProfiles, "h100-sxm.yaml"));
        b.AddSwitch("switch", 0, 0.5e-6);
        for (int i = 0; i < 4; i++)
        {
            b.AddGpu($"gpu{i}", 0, h100);
            b.AddDuplexLink("link", $"gpu{i}", "switch", 100e9, 1e-6);
        }
        return b.Build("four-on-a-switch", 0, 0);
    }

    [Test]
    public void Four_gpus_on_a_switch_take_their_busiest_link_plus_the_route_latency()
    {
        // Each GPU sends 1 MB to each of the others: 3 MB on every up and every down link, at
        // 100 GB/s 30 us, plus the route latency gpu -> switch (1 + 0.5 us) -> gpu (1 us): 32.5 us.
        var system = FourOnASwitch();
        var (flows, aggregated) = Both(system, AllToAllAlgorithm.Direct, Uniform(4, 1_000_000));
        Assert.That(aggregated, Is.EqualTo(30e-6 + 2.5e-6).Within(ExactPercent).Percent);
        Assert.That(flows, Is.EqualTo(aggregated).Within(ExactPercent).Percent);

        // GPU 0 sends 4 MB and GPU 2 1 MB to GPU 1: GPU 1's down link carries 5 MB, 50 us + 2.5 us
        // (the flows share it, the small one ends at 20 us, the big one then has it alone).
        var m = new long[16];
        m[0 * 4 + 1] = 4_000_000;
        m[2 * 4 + 1] = 1_000_000;
        (flows, aggregated) = Both(system, AllToAllAlgorithm.Direct, m);
        Assert.That(aggregated, Is.EqualTo(50e-6 + 2.5e-6).Within(ExactPercent).Percent);
        Assert.That(flows, Is.EqualTo(aggregated).Within(ExactPercent).Percent);
    }

    [TestCase(45_000_000L)]
    [TestCase(1_000_000L)]
    public void Uniform_all_to_all_on_one_dgx_node_equals_the_flows_and_the_hand_calculation(long bytesPerPair)
    {
        // 7 peers' shares on each 450 GB/s NVLink port plus the 1 us route (as AllToAllTests).
        var (flows, aggregated) = Both(SystemProfiles.DgxH100, AllToAllAlgorithm.Direct, Uniform(8, bytesPerPair));
        Assert.That(aggregated, Is.EqualTo(1.0e-6 + 7.0 * bytesPerPair / 450e9).Within(ExactPercent).Percent);
        Assert.That(flows, Is.EqualTo(aggregated).Within(ExactPercent).Percent);
    }

    [TestCase(1, 1UL, 1.0)]
    [TestCase(1, 2UL, 3.0)]
    [TestCase(1, 4UL, 3.0)]
    [TestCase(2, 1UL, 0.0)]
    [TestCase(2, 2UL, 1.0)]
    [TestCase(2, 3UL, 5.0)]
    [TestCase(4, 1UL, 0.0)]
    [TestCase(4, 2UL, 1.0)]
    [TestCase(4, 3UL, 5.0)]
    public void Skewed_direct_all_to_all_is_a_lower_bound_close_to_the_flows(int nodes, ulong seed, double skew)
    {
        var (flows, aggregated) = Both(Nodes(nodes), AllToAllAlgorithm.Direct, Skewed(Nodes(nodes).DeviceCount, seed, skew, 10_000_000));
        Assert.That(aggregated, Is.LessThanOrEqualTo(flows * (1 + 1e-6)));
        Assert.That(aggregated, Is.EqualTo(flows).Within(HeavyTailPercent).Percent);
    }

    [TestCase(2, 1UL, 0.0)]
    [TestCase(2, 2UL, 1.0)]
    [TestCase(2, 4UL, 3.0)]
    [TestCase(4, 1UL, 0.0)]
    [TestCase(4, 2UL, 1.0)]
    [TestCase(4, 3UL, 3.0)]
    [TestCase(4, 5UL, 5.0)]
    public void Skewed_rail_forwarded_matrix_is_close_to_the_flows(int nodes, ulong seed, double skew)
    {
        var (flows, aggregated) = Both(Nodes(nodes), AllToAllAlgorithm.RailForwarded, Skewed(Nodes(nodes).DeviceCount, seed, skew, 10_000_000));
        Assert.That(aggregated, Is.EqualTo(flows).Within(HeavyTailPercent).Percent);
    }

    [TestCase(1, AllToAllAlgorithm.Direct, 1.2, 64)]
    [TestCase(2, AllToAllAlgorithm.RailForwarded, 0.9, 64)]
    [TestCase(2, AllToAllAlgorithm.RailForwarded, 1.2, 256)]
    [TestCase(4, AllToAllAlgorithm.Direct, 0.9, 256)]
    [TestCase(4, AllToAllAlgorithm.RailForwarded, 0.5, 4)]
    [TestCase(4, AllToAllAlgorithm.RailForwarded, 0.9, 64)]
    public void Moe_per_expert_matrix_is_within_tolerance_of_the_flows(int nodes, AllToAllAlgorithm algorithm, double zipf, int tokensPerGpu)
    {
        var system = Nodes(nodes);
        var router = new SyntheticRouter(new SyntheticRouterConfig { NumMoeLayers = 1, NumExperts = 256, TopK = 8, ZipfExponent = zipf, Seed = 42 });
        var m = MoeStepRouting.DecodeStepDispatch(router, ExpertPlacement.Contiguous(1, 256, system.DeviceCount), tokensPerGpu, 7168);
        var (flows, aggregated) = Both(system, algorithm, m);
        Assert.That(aggregated, Is.EqualTo(flows).Within(TolerancePercent).Percent);
    }

    private static SystemTopology Nodes(int nodes) => nodes switch
    {
        1 => SystemProfiles.DgxH100,
        2 => SystemProfiles.DgxH100TwoNodes,
        _ => SystemProfiles.DgxH100FourNodes,
    };

    [Test]
    public void Uniform_rail_forwarded_all_to_all_equals_the_flows_and_the_hand_calculation()
    {
        // As AllToAllTests: 8·B / 50 GB/s + 4.2 us over the fabric, then 7·B / 450 GB/s + 1 us of forwarding.
        var (flows, aggregated) = Both(SystemProfiles.DgxH100TwoNodes, AllToAllAlgorithm.RailForwarded, Uniform(16, 10_000_000));
        Assert.That(aggregated, Is.EqualTo(8 * 10e6 / 50e9 + 4.2e-6 + 7 * 10e6 / 450e9 + 1.0e-6).Within(ExactPercent).Percent);
        Assert.That(flows, Is.EqualTo(aggregated).Within(ExactPercent).Percent);
    }

    [Test]
    public void Each_rail_peer_forwards_when_its_own_inbound_has_arrived()
    {
        // Two nodes. GPU 0 sends 10 MB over its rail to GPU 8 (200 us + 4.2 us), GPU 1 1 MB to
        // GPU 9 (20 us + 4.2 us); both are for GPU 10. GPU 9 forwards at 24.2 us (1 us + 1 MB /
        // 450 GB/s, done at 27.42 us), GPU 8 at 204.2 us (1 us + 10 MB / 450 GB/s): 227.42 us.
        // GPU 10's NVLink port serves the two forwards one after the other, not both after 204.2 us.
        var seconds = new double[2];
        foreach (var model in new[] { CollectiveModel.Flows, CollectiveModel.Aggregated })
        {
            var net = TopologyNetwork.Create(SystemProfiles.DgxH100TwoNodes);
            var a2a = new AllToAll(net, null, AllToAllAlgorithm.RailForwarded, model);
            var legs = new AllToAllTraffic(16, 2);
            legs.Fabric[0 * 2 + 1] = 10_000_000;
            legs.Fabric[1 * 2 + 1] = 1_000_000;
            legs.Forward[8 * 16 + 10] = 10_000_000;
            legs.Forward[9 * 16 + 10] = 1_000_000;
            a2a.Start(legs, null);
            net.Simulator.Run();
            seconds[(int)model] = a2a.LastSeconds;
        }
        Assert.That(seconds[1], Is.EqualTo(10e6 / 50e9 + 4.2e-6 + 1e-6 + 10e6 / 450e9).Within(ExactPercent).Percent);
        Assert.That(seconds[0], Is.EqualTo(seconds[1]).Within(ExactPercent).Percent);
    }

    // MoE dispatch or combine legs (DeepSeek-V3 shape: 256 experts, top-8, 7168 B per copy) of
    // one decode step with tokensPerGpu tokens on every GPU, contiguous placement.
    private static (double Flows, double Aggregated) MoeLegs(SystemTopology system, int tokensPerGpu, double zipf, bool combine)
    {
        int n = system.DeviceCount, tokens = n * tokensPerGpu;
        var router = new SyntheticRouter(new SyntheticRouterConfig { NumMoeLayers = 1, NumExperts = 256, TopK = 8, ZipfExponent = zipf, Seed = 42 });
        var batch = new RoutingBatch();
        for (int t = 0; t < tokens; t++) batch.Add(new SequenceSlice(t, 0, 1, IsPrefill: false));
        var ids = new int[tokens * 8];
        router.RouteTokens(batch, ids);
        var home = new int[tokens];
        for (int t = 0; t < tokens; t++) home[t] = t / tokensPerGpu;
        var seconds = new double[2];
        var carried = new long[2];
        foreach (var model in new[] { CollectiveModel.Flows, CollectiveModel.Aggregated })
        {
            var net = TopologyNetwork.Create(system);
            var a2a = new AllToAll(net, null, AllToAllAlgorithm.RailForwarded, model);
            var routing = new MoeStepRouting(ExpertPlacement.Contiguous(1, 256, n), 8, 7168, DispatchPayload.PerDevice, a2a);
            routing.Plan(ids, home, tokens);
            a2a.Start(combine ? routing.CombineLegs(0) : routing.DispatchLegs(0), null);
            net.Simulator.Run();
            seconds[(int)model] = a2a.LastSeconds;
            carried[(int)model] = net.BytesCarriedTouching(TopologyNodeKind.Nic);
        }
        Assert.That(carried[1], Is.EqualTo(carried[0]));
        return (seconds[0], seconds[1]);
    }

    [TestCase(2, 8, 0.0)]
    [TestCase(2, 128, 0.0)]
    [TestCase(2, 128, 1.2)]
    [TestCase(4, 1, 0.0)]
    [TestCase(4, 8, 0.6)]
    [TestCase(4, 32, 0.3)]
    [TestCase(4, 128, 0.6)]
    [TestCase(4, 512, 0.3)]
    public void Moe_dispatch_legs_are_within_tolerance_of_the_flows_and_combine_legs_equal_them(int nodes, int tokensPerGpu, double zipf)
    {
        var system = Nodes(nodes);
        var (flows, aggregated) = MoeLegs(system, tokensPerGpu, zipf, combine: false);
        Assert.That(aggregated, Is.EqualTo(flows).Within(TolerancePercent).Percent, "dispatch");
        (flows, aggregated) = MoeLegs(system, tokensPerGpu, zipf, combine: true);
        Assert.That(aggregated, Is.EqualTo(flows).Within(ExactPercent).Percent, "combine");
    }

    [Test]
    public void An_aggregated_exchange_is_one_event_and_an_instance_can_be_reused()
    {
        var net = TopologyNetwork.Create(SystemProfiles.DgxH100FourNodes);
        var a2a = new AllToAll(net, null, AllToAllAlgorithm.RailForwarded, CollectiveModel.Aggregated);
        var done = new RecordingTarget("done");
        a2a.Start(Uniform(32, 1_000_000), done, 0, 1);
        net.Simulator.Run();
        Assert.That(net.Simulator.EventsProcessed, Is.EqualTo(2), "the exchange's end and the caller's completion");
        double first = a2a.LastSeconds;
        a2a.Start(Uniform(32, 1_000_000), done, 0, 2);
        net.Simulator.Run();
        Assert.That(a2a.LastSeconds, Is.EqualTo(first).Within(ExactPercent).Percent);
        a2a.Start(new long[32 * 32], done, 0, 3);
        net.Simulator.Run();
        Assert.That(a2a.LastSeconds, Is.Zero);
        Assert.That(done.Log.Select(e => e.Arg0), Is.EqualTo(new long[] { 1, 2, 3 }));
    }

    [Test]
    public void Aggregated_moe_steps_allocate_nothing_once_warm()
    {
        // Four nodes, rail legs planned per token: plan, then dispatch and combine, many times.
        var system = SystemProfiles.DgxH100FourNodes;
        var net = TopologyNetwork.Create(system);
        var a2a = new AllToAll(net, null, AllToAllAlgorithm.RailForwarded, CollectiveModel.Aggregated);
        var router = new SyntheticRouter(new SyntheticRouterConfig { NumMoeLayers = 2, NumExperts = 256, TopK = 8, ZipfExponent = 0.8, Seed = 3 });
        int tokens = 32 * 16;
        var batch = new RoutingBatch();
        for (int t = 0; t < tokens; t++) batch.Add(new SequenceSlice(t, 0, 1, IsPrefill: false));
        var ids = new int[2 * tokens * 8];
        var home = Enumerable.Range(0, tokens).Select(t => t / 16).ToArray();
        var routing = new MoeStepRouting(ExpertPlacement.Contiguous(2, 256, 32), 8, 7168, DispatchPayload.PerDevice, a2a);
        void Step()
        {
            router.RouteTokens(batch, ids);
            routing.Plan(ids, home, tokens);
            for (int layer = 0; layer < 2; layer++)
            {
                a2a.Start(routing.DispatchLegs(layer), null);
                net.Simulator.Run();
                a2a.Start(routing.CombineLegs(layer), null);
                net.Simulator.Run();
            }
        }
        for (int i = 0; i < 3; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) Step();
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [Test]
    public void Aggregated_legs_are_checked_on_the_rails_they_use()
    {
        var net = TopologyNetwork.Create(SystemProfiles.DgxH100TwoNodes);
        var a2a = new AllToAll(net, null, AllToAllAlgorithm.RailForwarded, CollectiveModel.Aggregated);
        var home = new AllToAllTraffic(16, 2);
        home.Fabric[0 * 2 + 0] = 1;
        Assert.That(() => a2a.Start(home, null), Throws.ArgumentException.With.Message.Contains("no fabric leg to its own machine"));
        var orphan = new AllToAllTraffic(16, 2);
        orphan.Forward[8 * 16 + 9] = 1;
        Assert.That(() => a2a.Start(orphan, null), Throws.ArgumentException.With.Message.Contains("no fabric flow reaches it"));
        var negative = new AllToAllTraffic(16, 2);
        negative.Local[1 * 16 + 2] = -1;
        Assert.That(() => a2a.Start(negative, null), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(a2a.IsRunning, Is.False);
        // A refused exchange leaves nothing behind: the next one is timed from scratch.
        var legs = new AllToAllTraffic(16, 2);
        legs.Fabric[0 * 2 + 1] = 10_000_000;
        a2a.Start(legs, null);
        net.Simulator.Run();
        Assert.That(a2a.LastSeconds, Is.EqualTo(10e6 / 50e9 + 4.2e-6).Within(ExactPercent).Percent);
    }

    [TestCase(2)]
    [TestCase(8)]
    public void Aggregated_ring_collectives_equal_the_flows(int ranks)
    {
        var group = Enumerable.Range(0, ranks).ToArray();
        foreach (bool reduce in new[] { true, false })
        {
            var seconds = new double[2];
            foreach (var model in new[] { CollectiveModel.Flows, CollectiveModel.Aggregated })
            {
                var net = TopologyNetwork.Create(SystemProfiles.DgxH100);
                Collective ring = reduce ? new RingAllReduce(net, group, model) : new RingAllGather(net, group, model);
                if (ring is RingAllReduce ar) ar.Start(64_000_000, null);
                else ((RingAllGather)ring).Start(8_000_000, null);
                net.Simulator.Run();
                seconds[(int)model] = ring.LastSeconds;
            }
            Assert.That(seconds[1], Is.EqualTo(seconds[0]).Within(ExactPercent).Percent, reduce ? "all-reduce" : "all-gather");
        }
    }

    [Test]
    public void Per_device_totals_give_the_loads_of_walking_every_route()
    {
        // Random transfers in two stages on four nodes, the second starting later.
        var system = SystemProfiles.DgxH100FourNodes;
        var byRoute = new AggregatedLinkLoads(system, 2, perDevice: false);
        var perDevice = new AggregatedLinkLoads(system, 2, perDevice: true);
        Assert.That(perDevice.PerDevice, Is.True, "DGX routes split at their switch");
        var rng = new SeededRandom(7);
        for (int i = 0; i < 500; i++)
        {
            int stage = i % 2, s = (int)(rng.NextDouble() * 32), d = (int)(rng.NextDouble() * 32);
            long bytes = 1 + (long)(rng.NextDouble() * 1e7);
            double start = stage * rng.NextDouble() * 1e-4;
            byRoute.Add(stage, s, d, bytes, start);
            perDevice.Add(stage, s, d, bytes, start);
        }
        for (int stage = 0; stage < 2; stage++)
        {
            Assert.That(perDevice.StageSeconds(stage), Is.EqualTo(byRoute.StageSeconds(stage)).Within(1e-9).Percent);
            for (int l = 0; l < system.Links.Count; l++)
                Assert.That(perDevice.LoadBytes(stage, l), Is.EqualTo(byRoute.LoadBytes(stage, l)), system.Links[l].Name);
            Assert.That(perDevice.RouteSeconds(stage, 3, 17), Is.EqualTo(byRoute.RouteSeconds(stage, 3, 17)).Within(1e-9).Percent);
        }
        Assert.That(perDevice.TotalSeconds(), Is.EqualTo(byRoute.TotalSeconds()).Within(1e-9).Percent);
        Assert.That((perDevice.Transfers, perDevice.TransferredBytes), Is.EqualTo((byRoute.Transfers, byRoute.TransferredBytes)));
    }

    [Test]
    public void Collectives_default_to_flows_up_to_32_gpus_and_aggregate_above()
    {
        Assert.That(Collective.DefaultModelFor(8), Is.EqualTo(CollectiveModel.Flows));
        Assert.That(Collective.DefaultModelFor(32), Is.EqualTo(CollectiveModel.Flows));
        Assert.That(Collective.DefaultModelFor(33), Is.EqualTo(CollectiveModel.Aggregated));
        Assert.That(new AllToAll(TopologyNetwork.Create(SystemProfiles.DgxH100FourNodes)).Model, Is.EqualTo(CollectiveModel.Flows));
        Assert.That(new ExpertParallelConfig().CollectiveModel, Is.Null, "chosen by the system's size");
    }

    [Test]
    public void A_uniform_exchange_on_forty_dgx_nodes_matches_the_hand_calculation()
    {
        // 320 GPUs, rail-forwarded, B per pair: each GPU sends its 8·B for every other machine as
        // one fabric leg, 39 of them on its 50 GB/s port (and 39 arrive on it): 312·B / 50 GB/s +
        // 4.2 us; then every rail peer forwards 7 GPUs' 39·B each over NVLink: 273·B / 450 GB/s + 1 us.
        var system = SystemProfiles.Load("dgx-h100-40node");
        Assert.That((system.DeviceCount, system.MachineCount), Is.EqualTo((320, 40)));
        var net = TopologyNetwork.Create(system);
        var a2a = new AllToAll(net, null, AllToAllAlgorithm.RailForwarded);
        Assert.That(a2a.Model, Is.EqualTo(CollectiveModel.Aggregated), "the default above 32 GPUs");
        const long B = 100_000;
        a2a.Start(Uniform(320, B), null);
        net.Simulator.Run();
        Assert.That(a2a.LastSeconds, Is.EqualTo(312 * B / 50e9 + 4.2e-6 + 273 * B / 450e9 + 1e-6).Within(ExactPercent).Percent);
        Assert.That(a2a.LastMatrixBytes, Is.EqualTo(320L * 319 * B));
        Assert.That(net.Simulator.EventsProcessed, Is.EqualTo(1));
    }
}
