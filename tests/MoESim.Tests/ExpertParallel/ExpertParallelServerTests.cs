using MoESim.Config;
using MoESim.Hardware.Topology;
using MoESim.Parallelism;
using MoESim.Serving;
using MoESim.Serving.ExpertParallel;
using MoESim.Tests.Serving;
using MoESim.Traces;
using MoESim.Runs;

namespace MoESim.Tests.ExpertParallel;

/// <remarks>
/// Hand-computed case: TinyMoe (h = 4, 2 MoE layers, 8 experts, top-2, expert width 8, bf16) on
/// two compute-bound GPUs (1e6 FLOP/s, memory practically free, no launch overhead) joined by
/// one switch: each GPU has a 32 kB/s link per direction, 0.5 ms latency per link (1 ms per
/// route). Two requests arrive at 0 with 2-token prompts and 1 output token, so one step does
/// everything. TP = 1, DP = 2: request r lives on GPU r. Routing: every token uses experts
/// {0, 1} in layer 0 and {4, 5} in layer 1; contiguous placement puts experts 0-3 on GPU 0.
/// <list type="bullet">
/// <item>attention per layer and GPU (2 prompt tokens, 3 causal pairs): projections
///   2·2·64 = 256 FLOP + core 1·16·3 = 48 FLOP: 0.304 ms</item>
/// <item>router per layer and GPU: 2·2·(4·8) = 128 FLOP: 0.128 ms (no shared experts)</item>
/// <item>layer 0: GPU 1's 2 tokens × 2 pairs go to GPU 0: 4 × (4 × 2 B) = 32 B; dispatch =
///   1 ms + 32 B / 32 kB/s = 2 ms; GPU 0 computes 8 pairs × 2·96 FLOP = 1.536 ms, GPU 1 none
///   (straggler 1.536 − 0.768 = 0.768 ms); combine sends the 32 B back: 2 ms. Layer 1 mirrors it.</item>
/// <item>LM head: 2·1·64 = 128 FLOP: 0.128 ms</item>
/// <item>step = 2 × (0.304 + 0.128 + 2 + 1.536 + 2) + 0.128 = 12.064 ms = both TTFTs</item>
/// </list>
/// </remarks>
[TestFixture]
public sealed class ExpertParallelServerTests
{
    private const double Tol = 1e-6; // relative

    internal static SystemTopology TwoGpus(double bytesPerSecond = 32e3, double latencySeconds = 0.5e-3)
    {
        var b = new SystemTopologyBuilder();
        var device = TestModels.ComputeBoundDevice();
        b.AddGpu("gpu0", 0, device);
        b.AddGpu("gpu1", 0, device);
        b.AddSwitch("sw", 0, 0);
        b.AddDuplexLink("link", "gpu0", "sw", bytesPerSecond, latencySeconds);
        b.AddDuplexLink("link", "gpu1", "sw", bytesPerSecond, latencySeconds);
        return b.Build("two-gpus", 0, 0);
    }

    private static readonly Request[] TwoPrompts = { new(0, 0, 2, 1), new(1, 0, 2, 1) };

    // The hand calculations below send one copy per (token, expert) pair; per-device payload has its own test.
    private static readonly ExpertParallelConfig PerExpert = new() { Dispatch = DispatchPayload.PerExpert };

    private static ExpertParallelResult Run(ExpertPlacement? placement, int[][] experts, IReadOnlyList<Request>? requests = null, ExpertParallelConfig? config = null) =>
        ExpertParallelRunner.Run(TestModels.TinyMoe(), TwoGpus(), placement, new FixedRouter(8, experts), requests ?? TwoPrompts, config ?? PerExpert);

    [Test]
    public void Hand_computed_two_gpu_step()
    {
        var r = Run(null, new[] { new[] { 0, 1 }, new[] { 4, 5 } });
        Assert.That(r.Steps, Is.EqualTo(1));
        Assert.That(r.DevicePairs, Is.EqualTo(new long[] { 8, 8 }));
        Assert.That(r.AllToAllBytes, Is.EqualTo(4 * 32));
        Assert.That(r.AllToAllSeconds, Is.EqualTo(4 * 2e-3).Within(Tol));
        Assert.That(r.MoeLayerSeconds[0], Is.EqualTo(5.536e-3).Within(Tol));
        Assert.That(r.MoeLayerSeconds[1], Is.EqualTo(5.536e-3).Within(Tol));
        Assert.That(r.StragglerSeconds[0], Is.EqualTo(0.768e-3).Within(Tol));
        Assert.That(r.StragglerSeconds[1], Is.EqualTo(0.768e-3).Within(Tol));
        Assert.That(r.Serving.Requests.Select(q => q.TtftSeconds), Is.EqualTo(new[] { 12.064e-3, 12.064e-3 }).Within(Tol));
        Assert.That(r.Metrics.MakespanSeconds, Is.EqualTo(12.064e-3).Within(Tol));
        Assert.That(r.LoadImbalance, Is.EqualTo(1.0));
        // Each GPU is an engine compute unit busy only for its own tasks: attention 2 x 0.304,
        // router 2 x 0.128, its layer's experts 1.536, LM head 0.128 = 2.528 ms (it idles while
        // the other GPU computes its experts and during the all-to-alls).
        Assert.That(r.Serving.BusySeconds, Is.EqualTo(2.528e-3).Within(Tol));
    }

    [Test]
    public void Per_device_payload_sends_a_token_once_to_a_gpu_holding_two_of_its_experts()
    {
        // As the hand-computed step, but both of a token's experts (0 and 1, 4 and 5) sit on
        // GPU 0, so GPU 1's 2 tokens send one 8 B copy each: 16 B per dispatch, 1 ms + 16 B /
        // 32 kB/s = 1.5 ms, and combine returns one reduced copy each: 1.5 ms. Expert compute is
        // unchanged (8 pairs on GPU 0: 1.536 ms). Step = 2 × (0.304 + 0.128 + 1.5 + 1.536 + 1.5)
        // + 0.128 = 10.064 ms.
        var r = Run(null, [[0, 1], [4, 5]], config: new ExpertParallelConfig { Dispatch = DispatchPayload.PerDevice });
        Assert.That(r.DevicePairs, Is.EqualTo(new long[] { 8, 8 }));
        Assert.That(r.AllToAllBytes, Is.EqualTo(4 * 16));
        Assert.That(r.AllToAllSeconds, Is.EqualTo(4 * 1.5e-3).Within(Tol));
        Assert.That(r.MoeLayerSeconds[0], Is.EqualTo(4.536e-3).Within(Tol));
        Assert.That(r.Metrics.MakespanSeconds, Is.EqualTo(10.064e-3).Within(Tol));
    }

    [Test]
    public void Tensor_parallel_attention_adds_all_reduce_and_all_gather()
    {
        // TP = 2, DP = 1: both requests in one group, tokens dealt alternately to GPU 0 and 1.
        // Attention of 4 prompt tokens (6 causal pairs) split in two: (512 + 96) / 2 = 0.304 ms.
        // All-reduce of 4 tokens × 8 B = 32 B over 2 ranks: 2 phases of a 16 B chunk,
        // 1 ms + 16 B / 32 kB/s = 1.5 ms each: 3 ms. Router on 2 tokens: 0.128 ms. Dispatch,
        // experts, combine as in the DP case (2 + 1.536 + 2 ms). All-gather of 2 tokens × 8 B:
        // 1 phase of 1.5 ms. Layer: 10.468 ms; LM head (2 rows / 2): 0.128 ms; step 21.064 ms.
        var r = ExpertParallelRunner.Run(TestModels.TinyMoe(), TwoGpus(), null, new FixedRouter(8, new[] { new[] { 0, 1 }, new[] { 4, 5 } }),
            TwoPrompts, PerExpert with { TensorParallel = 2 });
        Assert.That(r.Metrics.MakespanSeconds, Is.EqualTo(21.064e-3).Within(Tol));
        Assert.That(r.TensorParallelSeconds, Is.EqualTo(2 * (3e-3 + 1.5e-3)).Within(Tol));
        Assert.That(r.AllToAllBytes, Is.EqualTo(4 * 32));
    }

    [Test]
    public void Skewed_placement_has_a_bigger_straggler_than_a_balanced_one()
    {
        // Every token uses experts 0 and 1 in both layers. Contiguous placement puts both on
        // GPU 0 (8 pairs there, none on GPU 1); the balanced one puts expert 1 on GPU 1 (4 each).
        var experts = new[] { new[] { 0, 1 }, new[] { 0, 1 } };
        var skewed = Run(null, experts);
        var balanced = Run(Placement(e => e == 1 ? 1 : e < 4 ? 0 : 1), experts);
        Assert.That(skewed.MeanStragglerSeconds, Is.EqualTo(0.768e-3).Within(Tol));
        Assert.That(balanced.MeanStragglerSeconds, Is.Zero.Within(1e-12));
        Assert.That(balanced.DevicePairs, Is.EqualTo(new long[] { 8, 8 }));
        Assert.That(skewed.DevicePairs, Is.EqualTo(new long[] { 16, 0 }));
        // Skewed layer: 2 + 1.536 + 2 = 5.536 ms. Balanced: each GPU sends 2 pairs (16 B) the
        // other way, on separate links: 1 ms + 16 B / 32 kB/s = 1.5 ms each way, experts 0.768 ms:
        // 3.768 ms. Difference 1.768 ms.
        Assert.That(balanced.MeanMoeLayerSeconds, Is.EqualTo(3.768e-3).Within(Tol));
        Assert.That(skewed.MeanMoeLayerSeconds - balanced.MeanMoeLayerSeconds, Is.EqualTo(1.768e-3).Within(Tol));
        Assert.That(skewed.Metrics.MakespanSeconds, Is.GreaterThan(balanced.Metrics.MakespanSeconds));
    }

    [Test]
    public void Replica_on_the_tokens_own_gpu_saves_the_transfer()
    {
        // Experts 0 and 1 replicated on both GPUs: every pair stays home, nothing is sent, and
        // each GPU computes its own 4 pairs per layer.
        var replicated = Placement(e => e < 4 ? 0 : 1, replicateBelow: 2);
        var r = Run(replicated, new[] { new[] { 0, 1 }, new[] { 0, 1 } });
        Assert.That(r.AllToAllBytes, Is.Zero);
        Assert.That(r.DevicePairs, Is.EqualTo(new long[] { 8, 8 }));
        // Without any transfer a layer is just its expert time: 4 pairs × 192 FLOP = 0.768 ms.
        Assert.That(r.MoeLayerSeconds[0], Is.EqualTo(0.768e-3).Within(Tol));
    }

    [Test]
    public void Same_inputs_give_identical_results()
    {
        var requests = Enumerable.Range(0, 12).Select(i => new Request(i, i * 0.002, 3 + i % 4, 2 + i % 3)).ToArray();
        ExpertParallelResult RunOnce() => ExpertParallelRunner.Run(TestModels.TinyMoe(), TwoGpus(), null,
            new SyntheticRouter(new SyntheticRouterConfig { NumMoeLayers = 2, NumExperts = 8, TopK = 2, ZipfExponent = 1.0, Seed = 7 }),
            requests, new ExpertParallelConfig());
        var a = RunOnce();
        var b = RunOnce();
        Assert.That(a.Steps, Is.GreaterThan(1));
        Assert.That(b.Serving.Requests, Is.EqualTo(a.Serving.Requests));
        Assert.That(b.DevicePairs, Is.EqualTo(a.DevicePairs));
        Assert.That(b.MoeLayerSeconds, Is.EqualTo(a.MoeLayerSeconds));
        Assert.That(b.AllToAllBytes, Is.EqualTo(a.AllToAllBytes));
        Assert.That(a.Serving.Requests.All(q => q.FinishPicoseconds > 0), Is.True);
    }

    [Test]
    public void Mismatched_placement_router_or_layout_is_an_input_error()
    {
        var experts = new[] { new[] { 0, 1 }, new[] { 4, 5 } };
        var wrongDevices = ExpertPlacement.Contiguous(2, 8, 4);
        var ex = Assert.Throws<InputException>(() => Run(wrongDevices, experts))!;
        Assert.That(ex.Message, Does.Contain("needs 2 x 8 on 2"));
        ex = Assert.Throws<InputException>(() => ExpertParallelRunner.Run(TestModels.TinyMoe(), TwoGpus(), null,
            new FixedRouter(8, new[] { new[] { 0, 1 } }), TwoPrompts, new ExpertParallelConfig { TensorParallel = 3 }))!;
        Assert.That(ex.Message, Does.Contain("routing: shape"));
        Assert.That(ex.Message, Does.Contain("tensor_parallel: must be at least 1 and divide the system's 2 GPUs, got 3"));
    }

    /// <summary>One copy of each expert on <paramref name="deviceOf"/>(e); experts below <paramref name="replicateBelow"/> on both GPUs, half each.</summary>
    private static ExpertPlacement Placement(Func<int, int> deviceOf, int replicateBelow = 0)
    {
        var layers = new IReadOnlyList<ExpertReplica>[2][];
        for (int l = 0; l < 2; l++)
        {
            layers[l] = new IReadOnlyList<ExpertReplica>[8];
            for (int e = 0; e < 8; e++)
                layers[l][e] = e < replicateBelow
                    ? new[] { new ExpertReplica(0, 0.5), new ExpertReplica(1, 0.5) }
                    : new[] { new ExpertReplica(deviceOf(e), 1.0) };
        }
        return new ExpertPlacement(2, layers, "test");
    }
}
