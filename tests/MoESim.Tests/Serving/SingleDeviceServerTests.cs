using MoESim.Config;
using MoESim.Cost;
using MoESim.Hardware;
using MoESim.Models;
using MoESim.Serving;
using MoESim.Traces;
using static MoESim.Tests.Serving.TestModels;
using MoESim.Results;

namespace MoESim.Tests.Serving;

[TestFixture]
public class SingleDeviceServerTests
{
    private const double Ps = 1e12;
    private const double Rel = 1e-9; // relative tolerance: pass times are rounded to whole picoseconds

    private static ServingConfig Config(int maxBatchTokens = 8192) => new() { MaxBatchTokens = maxBatchTokens, MaxSequences = Math.Min(256, maxBatchTokens), MemoryUtilization = 1.0 };

    private static SimulationResult RunDense(IReadOnlyList<Request> requests, ServingConfig? config = null, DeviceProfile? device = null)
    {
        var d = device ?? ComputeBoundDevice();
        return ServingInstances.SingleDevice(new ModelWork(TinyDense()), d, new RooflineTimeModel(d), requests, null, config ?? Config()).Run();
    }

    private static double Seconds(long ps) => ps / Ps;
    private static double[] Durations(SimulationResult r) => r.Iterations.Select(i => (i.EndPicoseconds - i.StartPicoseconds) / Ps).ToArray();

    [Test]
    public void OneRequest_TtftIsPrefillPass_TpotIsMeanDecodePass()
    {
        // Prompt 8, output 4, arriving at 0.5 s. FLOPs = 640·T + 32·(P + C) + 128·O (see TestModels):
        //   prefill: T = 8, P = 8·9/2 = 36, O = 1: 5120 + 1152 + 128 = 6400 -> 6.4 ms
        //   decode k = 1..3 (context C = 8 + k): 640 + 32·(8+k) + 128 = 1024 + 32k -> 1056, 1088, 1120
        // TTFT 6.4 ms; decodes 3.264 ms in all, TPOT 3.264/3 = 1.088 ms; finish 0.5 s + 9.664 ms.
        var result = RunDense(new[] { new Request(0, 0.5, 8, 4) });
        var r = result.Requests[0];
        Assert.That(r.TtftSeconds, Is.EqualTo(6.4e-3).Within(Rel).Percent);
        Assert.That(r.TpotSeconds, Is.EqualTo(1.088e-3).Within(Rel).Percent);
        Assert.That(Seconds(r.FinishPicoseconds), Is.EqualTo(0.509664).Within(Rel).Percent);
        Assert.That(Durations(result), Is.EqualTo(new[] { 6.4e-3, 1.056e-3, 1.088e-3, 1.120e-3 }).Within(1e-15));
        Assert.That(result.Iterations.Select(i => i.Flops), Is.EqualTo(new[] { 6400.0, 1056, 1088, 1120 }).Within(1e-6));
        Assert.That(result.Iterations.Select(i => i.PrefillTokens), Is.EqualTo(new[] { 8, 0, 0, 0 }));
        Assert.That(result.Iterations.Select(i => i.OutputTokens), Is.EqualTo(new[] { 1, 1, 1, 1 }));
        // Makespan: first arrival to last token; the device was busy all of it.
        Assert.That(result.MakespanSeconds, Is.EqualTo(9.664e-3).Within(Rel).Percent);
        Assert.That(result.BusySeconds, Is.EqualTo(9.664e-3).Within(Rel).Percent);
    }

    [Test]
    public void TwoRequestsArrivingTogether_SharePasses()
    {
        // Both prompt 8, output 4, at t = 0. One prefill pass for both:
        //   T = 16, P = 2·36 = 72, O = 2: 10240 + 2304 + 256 = 12800 FLOP -> 12.8 ms (both first tokens)
        // then three batch-2 decodes, C = 2·(8+k): 1280 + 32·(16+2k) + 256 = 2048 + 64k -> 2112, 2176, 2240
        // = 6.528 ms; both finish at 19.328 ms.
        var result = RunDense(new[] { new Request(0, 0, 8, 4), new Request(1, 0, 8, 4) });
        foreach (var r in result.Requests)
        {
            Assert.That(Seconds(r.FirstTokenPicoseconds), Is.EqualTo(12.8e-3).Within(Rel).Percent, $"request {r.Id}");
            Assert.That(Seconds(r.FinishPicoseconds), Is.EqualTo(19.328e-3).Within(Rel).Percent, $"request {r.Id}");
        }
        Assert.That(result.Iterations, Has.Count.EqualTo(4));
        Assert.That(result.Iterations[0].PrefillTokens, Is.EqualTo(16));
        Assert.That(result.Iterations.Skip(1).Select(i => i.DecodeSequences), Has.All.EqualTo(2));
    }

    [Test]
    public void LateArrival_JoinsRunningDecodeBatch()
    {
        // Request 0 (prompt 8, output 4) at 0; request 1 (prompt 8, output 4) at 7 ms.
        //   0 -> 6.4 ms       prefill r0 (6400)
        //   6.4 -> 7.456 ms   decode r0, C = 9 (1056); r1 arrives meanwhile
        //   7.456 -> 14.944   decode r0 (C = 10) + prefill r1: T = 9, P = 36, C = 10, O = 2
        //                     5760 + 32·46 + 256 = 7488 FLOP -> r1's first token, TTFT 7.944 ms
        //   14.944 -> 17.12   decode r0 (C = 11) + r1 (C = 9): T = 2, C = 20, O = 2: 1280 + 640 + 256 = 2176; r0 done
        //   17.12 -> 18.208   decode r1, C = 10 (1088)
        //   18.208 -> 19.328  decode r1, C = 11 (1120); r1 done
        var result = RunDense(new[] { new Request(0, 0, 8, 4), new Request(1, 0.007, 8, 4) });
        Assert.That(Seconds(result.Requests[0].FinishPicoseconds), Is.EqualTo(17.12e-3).Within(Rel).Percent);
        Assert.That(result.Requests[1].TtftSeconds, Is.EqualTo(7.944e-3).Within(Rel).Percent);
        Assert.That(Seconds(result.Requests[1].FinishPicoseconds), Is.EqualTo(19.328e-3).Within(Rel).Percent);
        Assert.That(result.Iterations.Select(i => i.Flops), Is.EqualTo(new[] { 6400.0, 1056, 7488, 2176, 1088, 1120 }).Within(1e-6));
    }

    [Test]
    public void TokenBudgetBelowPrompt_GivesChunkedPrefill()
    {
        // Budget 3 tokens, prompt 8: ceil(8/3) = 3 chunks of 3, 3, 2 before the first token.
        //   chunk 1: n = 3, cached 0: P = 3·4/2 = 6:           640·3 + 32·6 = 2112
        //   chunk 2: n = 3, cached 3: P = 3·3 + 6 = 15:        1920 + 480 = 2400
        //   chunk 3: n = 2, cached 6: P = 2·6 + 3 = 15, O = 1: 1280 + 480 + 128 = 1888
        // 6400 FLOP in all: with no overheads chunking costs nothing extra here, TTFT 6.4 ms.
        // Then one decode (C = 9, 1056 FLOP) for the second output token: finish 7.456 ms.
        var result = RunDense(new[] { new Request(0, 0, 8, 2) }, Config(maxBatchTokens: 3));
        Assert.That(result.Iterations.Select(i => i.PrefillTokens), Is.EqualTo(new[] { 3, 3, 2, 0 }));
        Assert.That(result.Iterations.Select(i => i.OutputTokens), Is.EqualTo(new[] { 0, 0, 1, 1 }));
        Assert.That(result.Iterations.Select(i => i.Flops), Is.EqualTo(new[] { 2112.0, 2400, 1888, 1056 }).Within(1e-6));
        var firstTokenPass = result.Iterations.ToList().FindIndex(i => i.OutputTokens > 0);
        Assert.That(firstTokenPass + 1, Is.EqualTo(3), "passes up to and including the first token");
        Assert.That(result.Requests[0].TtftSeconds, Is.EqualTo(6.4e-3).Within(Rel).Percent);
        Assert.That(Seconds(result.Requests[0].FinishPicoseconds), Is.EqualTo(7.456e-3).Within(Rel).Percent);
    }

    [Test]
    public void KvCapacity_SecondRequestWaitsForFirstToFinish()
    {
        // Capacity 2960 B - 1872 B weights = 1088 B KV = 17 tokens of 64 B: room for one request of
        // 8 + 4 = 12 tokens, not two. Request 0 runs alone and finishes at 6.4 + 3.264 = 9.664 ms;
        // request 1 is admitted then: first token 9.664 + 6.4 = 16.064 ms, finish 19.328 ms.
        var device = ComputeBoundDevice(capacityBytes: DenseWeightBytes + 17 * DenseKvBytesPerToken);
        var result = RunDense(new[] { new Request(0, 0, 8, 4), new Request(1, 0, 8, 4) }, device: device);
        Assert.That(result.Memory.KvCacheTokens, Is.EqualTo(17));
        Assert.That(Seconds(result.Requests[0].FinishPicoseconds), Is.EqualTo(9.664e-3).Within(Rel).Percent);
        Assert.That(result.Requests[1].FirstTokenPicoseconds, Is.GreaterThan(result.Requests[0].FinishPicoseconds));
        Assert.That(Seconds(result.Requests[1].FirstTokenPicoseconds), Is.EqualTo(16.064e-3).Within(Rel).Percent);
        Assert.That(Seconds(result.Requests[1].FinishPicoseconds), Is.EqualTo(19.328e-3).Within(Rel).Percent);
        // One request's 12 tokens x 64 B reserved at the peak.
        Assert.That(result.PeakKvReservedBytes, Is.EqualTo(12 * 64));
        Assert.That(result.Iterations.Select(i => i.RunningSequences), Has.All.LessThanOrEqualTo(1));
    }

    [Test]
    public void RequestThatCanNeverFit_GivesInputException()
    {
        // 17 tokens of KV; prompt 20 + output 4 = 24 tokens never fit.
        var device = ComputeBoundDevice(capacityBytes: DenseWeightBytes + 17 * DenseKvBytesPerToken);
        var ex = Assert.Throws<InputException>(() => RunDense(new[] { new Request(0, 0, 20, 4) }, device: device))!;
        Assert.That(ex.Message, Does.Contain("request 0").And.Contain("24 tokens").And.Contain("17"));
    }

    [Test]
    public void WeightsExceedingMemory_GiveInputExceptionSayingShortBy()
    {
        // 2000 B x 0.9 = 1800 B usable < 1872 B of weights.
        var device = ComputeBoundDevice(capacityBytes: 2000);
        var config = new ServingConfig { MemoryUtilization = 0.9 };
        var ex = Assert.Throws<InputException>(() =>
            ServingInstances.SingleDevice(new ModelWork(TinyDense()), device, new RooflineTimeModel(device), new[] { new Request(0, 0, 1, 1) }, null, config))!;
        Assert.That(ex.Message, Does.Contain("short by").And.Contain("tiny-dense"));
    }

    [Test]
    public void MemoryPlan_SplitsUsableMemory()
    {
        // 1e6 B x 0.5 = 500,000 usable; minus 1872 weights = 498,128 B KV; / 64 = 7783.25 -> 7783 tokens.
        var plan = SingleDeviceMemory.Plan(new ModelWork(TinyDense()), ComputeBoundDevice(1e6), new ServingConfig { MemoryUtilization = 0.5 });
        Assert.That(plan.UsableBytes, Is.EqualTo(500_000));
        Assert.That(plan.WeightBytes, Is.EqualTo(1872));
        Assert.That(plan.KvCacheBytes, Is.EqualTo(498_128));
        Assert.That(plan.KvBytesPerToken, Is.EqualTo(64));
        Assert.That(plan.KvCacheTokens, Is.EqualTo(7783));
    }

    [Test]
    public void EmptyRequestList_AndBadConfig_AreInputErrors()
    {
        var d = ComputeBoundDevice();
        Assert.Throws<InputException>(() => ServingInstances.SingleDevice(new ModelWork(TinyDense()), d, new RooflineTimeModel(d), Array.Empty<Request>(), null, Config()));
        Assert.Throws<InputException>(() => ServingInstances.SingleDevice(new ModelWork(TinyDense()), d, new RooflineTimeModel(d), new[] { new Request(0, 0, 1, 1) }, null, Config() with { MaxBatchTokens = 0 }));
        var tooFewTokens = Assert.Throws<InputException>(() => ServingInstances.SingleDevice(new ModelWork(TinyDense()), d, new RooflineTimeModel(d), new[] { new Request(0, 0, 1, 1) }, null, Config() with { MaxBatchTokens = 100, MaxSequences = 101 }))!;
        Assert.That(tooFewTokens.Message, Does.Contain("max_batch_tokens").And.Contain("max_sequences (101)"));
    }

    [Test]
    public void MoeModelWork_ExpertWeightBytesAreDistinctTimesExpertBytes()
    {
        // One expert: 3·h·I = 3·4·8 = 96 elements x 2 B (bf16) = 192 B.
        var work = new ModelWork(TinyMoe());
        Assert.That(work.ExpertWeightBytes, Is.EqualTo(192));
        var decode = BatchShape.Decode(1, 10);
        Assert.That(work.ExpertFfn(decode, 2).WeightBytes, Is.EqualTo(2 * 192));
        Assert.That(work.ExpertFfn(decode, 5).WeightBytes, Is.EqualTo(5 * 192));

        // Per pass (2 MoE layers): one more distinct expert in one layer adds 192 B and, on a
        // 1e6 B/s device, 192 µs; "all experts" (empty span) adds 2 layers x 6 experts x 192 B = 2304 B.
        var device = MemoryBoundDevice();
        var cost = new IterationCostModel(work, new RooflineTimeModel(device));
        var two = cost.Evaluate(decode, new[] { 2, 2 });
        var three = cost.Evaluate(decode, new[] { 3, 2 });
        var all = cost.Evaluate(decode, ReadOnlySpan<int>.Empty);
        Assert.That(three.Bytes - two.Bytes, Is.EqualTo(192).Within(1e-9));
        Assert.That(three.Seconds - two.Seconds, Is.EqualTo(192e-6).Within(1e-6).Percent);
        Assert.That(all.Bytes - two.Bytes, Is.EqualTo(2304).Within(1e-9));
    }

    /// <summary>Delegates to a real router and records what each pass was routed to.</summary>
    private sealed class RecordingRouter(IRoutingSource inner) : IRoutingSource
    {
        public List<(long Tokens, int[] Distinct)> Calls { get; } = new();
        public int NumMoeLayers => inner.NumMoeLayers;
        public int NumExperts => inner.NumExperts;
        public int TopK => inner.TopK;
        public string Description => inner.Description;

        public void RouteDistinct(RoutingBatch batch, Span<int> distinctExperts)
        {
            var counts = new int[NumMoeLayers * NumExperts];
            Route(batch, counts, distinctExperts);
        }

        public void Route(RoutingBatch batch, Span<int> expertTokenCounts, Span<int> distinctExperts)
        {
            inner.Route(batch, expertTokenCounts, distinctExperts);
            Calls.Add((batch.Tokens, distinctExperts.ToArray()));
        }

        public void RouteTokens(RoutingBatch batch, Span<int> expertIds) => inner.RouteTokens(batch, expertIds);
    }

    [Test]
    public void MoeDecodeAtBatchOne_ReadsExactlyTopKExpertsPerLayer()
    {
        // TinyMoe, one request (prompt 4, output 6) on a memory-bound device (1e6 B/s): 5 decode
        // passes at batch 1, each routed to exactly 2 experts per layer. Bytes of such a pass with
        // context C, all bf16 (2 B), per layer:
        //   attention projections: weights 64·2 = 128, activations (2·4 + 4·4)·2 = 48, KV write 8·2 = 16 -> 192
        //   attention decode:      activations 2·4·2 = 16, KV read C·8·2 = 16C
        //   router:                weights 4·8·2 = 64, activations (4 + 8)·2 = 24 -> 88
        //   shared experts (none): nothing
        //   routed experts:        weights 2·192 = 384, activations 2·(2·4 + 3·8)·2 = 128 -> 512
        //   layer total 808 + 16C; 2 layers 1616 + 32C; LM head 64·2 + (4 + 16)·2 = 168
        //   pass: 1784 + 32C bytes, taking (1784 + 32C)/1e6 s. Contexts C = 5, 6, 7, 8, 9.
        var model = TinyMoe();
        var device = MemoryBoundDevice();
        var router = new RecordingRouter(new SyntheticRouter(new SyntheticRouterConfig { NumMoeLayers = 2, NumExperts = 8, TopK = 2, Seed = 3 }));
        var server = ServingInstances.SingleDevice(new ModelWork(model), device, new RooflineTimeModel(device), new[] { new Request(0, 0, 4, 6) }, router, Config());
        var result = server.Run();

        var decodeCalls = router.Calls.Where(c => c.Tokens == 1).ToList();
        Assert.That(decodeCalls, Has.Count.EqualTo(5));
        foreach (var call in decodeCalls) Assert.That(call.Distinct, Is.EqualTo(new[] { 2, 2 }));

        var decodes = result.Iterations.Where(i => i.PrefillTokens == 0).ToList();
        Assert.That(decodes.Select(i => i.Bytes), Is.EqualTo(new[] { 1944.0, 1976, 2008, 2040, 2072 }).Within(1e-6));
        Assert.That(decodes.Select(i => (i.EndPicoseconds - i.StartPicoseconds) / Ps), Is.EqualTo(new[] { 1944e-6, 1976e-6, 2008e-6, 2040e-6, 2072e-6 }).Within(1e-15));
    }

    [Test]
    public void MoeModelWithoutRouter_Throws()
    {
        var d = MemoryBoundDevice();
        Assert.Throws<ArgumentException>(() => ServingInstances.SingleDevice(new ModelWork(TinyMoe()), d, new RooflineTimeModel(d), new[] { new Request(0, 0, 1, 1) }, null, Config()));
        var wrongShape = new SyntheticRouter(new SyntheticRouterConfig { NumMoeLayers = 2, NumExperts = 4, TopK = 2, Seed = 1 });
        Assert.Throws<InputException>(() => ServingInstances.SingleDevice(new ModelWork(TinyMoe()), d, new RooflineTimeModel(d), new[] { new Request(0, 0, 1, 1) }, wrongShape, Config()));
    }
}
