using MoESim.Cost;
using MoESim.Engine;
using MoESim.Hardware.Topology;
using MoESim.Results;
using MoESim.Runs;
using MoESim.Serving;
using MoESim.Serving.ExpertParallel;
using MoESim.Serving.Loop;
using MoESim.Tests.ExpertParallel;
using MoESim.Traces;
using static MoESim.Tests.Serving.TestModels;

namespace MoESim.Tests.Serving;

/// <summary>The one serving loop: the same loop serves one device and an expert-parallel system; instances share a clock in a cluster.</summary>
[TestFixture]
public class ServingLoopTests
{
    private const double Rel = 1e-9; // step times are rounded to whole picoseconds

    private static ServingConfig Config() => new() { MaxBatchTokens = 64, MaxSequences = 8, MemoryUtilization = 1.0 };

    private static readonly Request[] Stream =
    [
        new(0, 0.000, 6, 4), new(1, 0.001, 3, 5), new(2, 0.002, 9, 2), new(3, 0.030, 4, 6), new(4, 0.031, 2, 3),
    ];

    private static FixedRouter Router() => new(8, [[0, 3], [4, 5]]);

    private static SimulationResult SingleDevice(IReadOnlyList<Request> requests, Simulator? sim = null)
    {
        var d = ComputeBoundDevice();
        return ServingInstances.SingleDevice(new ModelWork(TinyMoe()), d, new RooflineTimeModel(d), requests, Router(), Config(), simulator: sim).Run();
    }

    [Test]
    public void Expert_parallel_serving_on_one_gpu_equals_single_device_serving()
    {
        // One GPU: every dispatch and combine is local (no bytes leave the GPU), so the
        // expert-parallel program must time every step exactly as the whole-pass planner does.
        var b = new SystemTopologyBuilder();
        b.AddGpu("gpu0", 0, ComputeBoundDevice());
        var oneGpu = b.Build("one-gpu", 0, 0);
        var ep = ExpertParallelRunner.Run(TinyMoe(), oneGpu, null, Router(), Stream, new ExpertParallelConfig { Serving = Config() });
        var single = SingleDevice(Stream);

        Assert.That(ep.Steps, Is.EqualTo(single.Iterations.Count));
        Assert.That(ep.AllToAllBytes, Is.Zero);
        for (int i = 0; i < Stream.Length; i++)
        {
            Assert.That(ep.Serving.Requests[i].TtftSeconds, Is.EqualTo(single.Requests[i].TtftSeconds).Within(Rel).Percent, $"TTFT of request {i}");
            Assert.That(ep.Serving.Requests[i].TpotSeconds, Is.EqualTo(single.Requests[i].TpotSeconds).Within(Rel).Percent, $"TPOT of request {i}");
        }
        Assert.That(ep.Serving.Iterations.Sum(s => s.Flops), Is.EqualTo(single.Iterations.Sum(s => s.Flops)).Within(Rel).Percent);
    }

    [Test]
    public void Two_instances_of_a_cluster_share_one_clock_and_serve_as_they_would_alone()
    {
        var shares = Cluster.Split(Stream, new RoundRobinRequestRouter(), 2);
        Assert.That(shares[0].Select(r => r.Id), Is.EqualTo(new[] { 0, 2, 4 }));
        Assert.That(shares[1].Select(r => r.Id), Is.EqualTo(new[] { 1, 3 }));

        var sim = new Simulator();
        var cluster = new Cluster(sim);
        var d = ComputeBoundDevice();
        foreach (var share in shares)
            cluster.Add(ServingInstances.SingleDevice(new ModelWork(TinyMoe()), d, new RooflineTimeModel(d), share, Router(), Config(), simulator: sim));
        var together = cluster.Run();

        long eventsAlone = 0;
        for (int i = 0; i < 2; i++)
        {
            var alone = SingleDevice(shares[i]);
            eventsAlone += alone.EventsProcessed;
            Assert.That(together[i].Requests.Select(r => r.FinishPicoseconds), Is.EqualTo(alone.Requests.Select(r => r.FinishPicoseconds)), $"instance {i}");
        }
        // One clock: the shared simulator dispatched both instances' events.
        Assert.That(sim.EventsProcessed, Is.EqualTo(eventsAlone));
        Assert.That(together[0].EventsProcessed, Is.EqualTo(together[1].EventsProcessed));
    }

    [Test]
    public void Kv_hand_off_admits_the_request_after_its_transfer_time()
    {
        // 30 kB over a 1 MB/s link with 0.5 ms latency arrive at 0.5 + 30 = 30.5 ms; the decode
        // instance then serves the request as if it had arrived at 30.5 ms.
        const long kvBytes = 30_000;
        var sim = new Simulator();
        var network = new FlowNetwork(sim);
        int link = network.AddLink("prefill->decode", 1e6, 0.5e-3);
        var d = ComputeBoundDevice();
        var requests = new[] { new Request(0, 0, 5, 4) };
        var decode = ServingInstances.SingleDevice(new ModelWork(TinyMoe()), d, new RooflineTimeModel(d), requests, Router(), Config(),
            simulator: sim, externalArrivals: true);
        var cluster = new Cluster(sim);
        cluster.Add(decode);
        var handOff = new KvHandOff(network);
        handOff.Send(kvBytes, [link], decode, 0);
        var result = cluster.Run()[0];

        var late = SingleDevice([new Request(0, 0.0305, 5, 4)]);
        Assert.That(handOff.BytesSent, Is.EqualTo(kvBytes));
        Assert.That(result.Requests[0].FirstTokenPicoseconds, Is.EqualTo(late.Requests[0].FirstTokenPicoseconds));
        Assert.That(result.Requests[0].FinishPicoseconds, Is.EqualTo(late.Requests[0].FinishPicoseconds));
        Assert.That(result.Requests[0].FirstTokenPicoseconds / 1e12, Is.GreaterThan(0.0305));
    }
}
