using MoESim.Config;
using MoESim.Cost;
using MoESim.Serving;
using MoESim.Tests.Config;
using MoESim.Tests.Traces.Formats;
using MoESim.Traces;
using MoESim.Traces.Replay;
using static MoESim.Tests.Serving.TestModels;

namespace MoESim.Tests.Traces.Replay;

[TestFixture]
public class TraceReplayRouterTests
{
    private TempFolder _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempFolder();

    [TearDown]
    public void TearDown() => _dir.Delete();

    private static TraceReplayRouter OpenTiny(params Request[] requests) =>
        TraceReplayRouter.Open(TraceTestFiles.Tiny, "tiny", 2, 4, 2, requests, TraceReplayRouter.DefaultCacheSelections);

    private static RoutingBatch Batch(params SequenceSlice[] slices)
    {
        var batch = new RoutingBatch();
        foreach (var s in slices) batch.Add(s);
        return batch;
    }

    [Test]
    public void RouteTokens_FollowsTheDocumentedMapping()
    {
        // Simulated requests 0..3, prompt 5 tokens each; the tiny trace has 2 requests, so
        // simulated 2 replays trace request 0 and simulated 3 trace request 1.
        using var router = OpenTiny(new Request(0, 0, 5, 9), new Request(1, 0, 5, 9), new Request(2, 0, 5, 9), new Request(3, 0, 5, 9));
        var batch = Batch(
            new SequenceSlice(0, 0, 1, true),   // trace req 0 prefill token 0: L0 [0,1], L1 [1,3]
            new SequenceSlice(2, 4, 1, true),   // position 4 mod 3 prefill tokens = token 1: L0 [2,3], L1 [0,1]
            new SequenceSlice(0, 5, 1, false),  // decode ordinal 0: L0 [3,0], L1 [1,2]
            new SequenceSlice(0, 7, 1, false),  // decode ordinal 2 mod 2 = 0: L0 [3,0], L1 [1,2]
            new SequenceSlice(2, 6, 1, false),  // decode ordinal 1: L0 [0,1], L1 [3,1]
            new SequenceSlice(3, 5, 1, false)); // trace req 1 decode 0: L0 [2,0], L1 [1,2]
        var ids = new int[2 * 6 * 2];
        router.RouteTokens(batch, ids);
        Assert.That(ids[..12], Is.EqualTo(new[] { 0, 1, 2, 3, 3, 0, 3, 0, 0, 1, 2, 0 }), "layer 0");
        Assert.That(ids[12..], Is.EqualTo(new[] { 1, 3, 0, 1, 1, 2, 1, 2, 3, 1, 1, 2 }), "layer 1");
    }

    [Test]
    public void RequestIdsDecide_SoAReplicaServingEveryOtherRequestReplaysTheSameTraceRequests()
    {
        // A replica gets the requests with ids 1 and 3 of the stream (its queue positions 0 and
        // 1). Both have odd ids, so both replay trace request 1 (decode token 0: L0 [2,0], L1
        // [1,2]), as they do in the unsplit run; by position, the first would replay request 0.
        using var replica = OpenTiny(new Request(1, 0, 5, 9), new Request(3, 0, 5, 9));
        var ids = new int[2 * 2 * 2];
        replica.RouteTokens(Batch(new SequenceSlice(0, 5, 1, false), new SequenceSlice(1, 5, 1, false)), ids);
        Assert.That(ids, Is.EqualTo(new[] { 2, 0, 2, 0, 1, 2, 1, 2 }));
    }

    [Test]
    public void Route_CountsAndDistinct_MatchAHandCount()
    {
        using var router = OpenTiny(new Request(0, 0, 3, 3), new Request(1, 0, 2, 2));
        // Whole prompts of both trace requests in one pass. Layer 0 tokens: [0,1] [2,3] [0,2] | [2,3] [1,0]
        // -> expert 0: 3, 1: 2, 2: 3, 3: 2. Layer 1: [1,3] [0,1] [2,1] | [0,3] [3,2] -> 0: 2, 1: 3, 2: 2, 3: 3.
        var batch = Batch(new SequenceSlice(0, 0, 3, true), new SequenceSlice(1, 0, 2, true));
        var counts = new int[8];
        var distinct = new int[2];
        router.Route(batch, counts, distinct);
        Assert.That(counts, Is.EqualTo(new[] { 3, 2, 3, 2, 2, 3, 2, 3 }));
        Assert.That(distinct, Is.EqualTo(new[] { 4, 4 }));
        // One decode token each: L0 [3,0] and [2,0] -> {0,2,3}; L1 [1,2] and [1,2] -> {1,2}.
        var decode = Batch(new SequenceSlice(0, 3, 1, false), new SequenceSlice(1, 2, 1, false));
        var fast = new int[2];
        router.RouteDistinct(decode, fast);
        Assert.That(fast, Is.EqualTo(new[] { 3, 2 }));
        router.Route(decode, counts, distinct);
        Assert.That(distinct, Is.EqualTo(fast));
    }

    [Test]
    public void TinyCache_RedecodesButRoutesIdentically()
    {
        var requests = Enumerable.Range(0, 6).Select(i => new Request(i, 0, 3, 3)).ToArray();
        using var big = OpenTiny(requests);
        // A budget of one selection keeps only the latest request: every switch decodes again.
        using var small = TraceReplayRouter.Open(TraceTestFiles.Tiny, "tiny", 2, 4, 2, requests, cacheSelections: 1);
        for (var r = 0; r < 6; r++)
        {
            var batch = Batch(new SequenceSlice(r, 0, 3, true), new SequenceSlice((r + 1) % 6, 3, 1, false));
            var (a, b) = (new int[16], new int[16]); // 2 layers × 4 tokens × top-2
            big.RouteTokens(batch, a);
            small.RouteTokens(batch, b);
            Assert.That(b, Is.EqualTo(a));
        }
        Assert.That(big.Decodes, Is.EqualTo(2));
        Assert.That(small.Decodes, Is.GreaterThan(6));
    }

    [Test]
    public void CsvTrace_ReplaysAfterSeeking()
    {
        var csv = _dir.Write("t.csv", string.Join("\n",
            "# shape: moe_layers=2 experts=4 top_k=2",
            "request_id,token_index,layer,expert_ids,phase",
            "5,0,0,0 1,prefill", "5,0,1,2 3,prefill",
            "9,0,0,1 2,prefill", "9,0,1,3 0,prefill",
            "9,1,0,2 3,decode", "9,1,1,0 1,decode",
            "5,1,0,3 0,decode", "5,1,1,1 2,decode") + "\n");
        Request[] requests = [new Request(0, 0, 1, 2), new Request(1, 0, 1, 2)];
        using var router = TraceReplayRouter.Open(csv, "m", 2, 4, 2, requests);
        Assert.That(router.TraceRequests, Is.EqualTo(2));
        // Simulated 1 -> trace request 9 (second to appear); simulated 0 -> trace request 5,
        // whose decode row comes after request 9's rows.
        var batch = Batch(new SequenceSlice(1, 1, 1, false), new SequenceSlice(0, 1, 1, false), new SequenceSlice(1, 0, 1, true));
        var ids = new int[2 * 3 * 2];
        router.RouteTokens(batch, ids);
        Assert.That(ids, Is.EqualTo(new[] { 2, 3, 3, 0, 1, 2, /* layer 1 */ 0, 1, 1, 2, 3, 0 }));
    }

    [Test]
    public void ShapeMismatch_NamesTheFileAndBothShapes()
    {
        var ex = Assert.Throws<InputException>(() => TraceReplayRouter.Open(TraceTestFiles.Tiny, "mixtral", 32, 8, 2, [new Request(0, 0, 1, 1)]))!;
        var e = ex.Errors[0];
        Assert.That(e.File, Is.EqualTo(TraceTestFiles.Tiny));
        Assert.That(e.Field, Is.EqualTo("shape"));
        Assert.That(e.Problem, Is.EqualTo("the trace is 2 MoE layers x 4 experts, top-2 (recorded for tiny-moe); model mixtral is 32 MoE layers x 8 experts, top-2"));
    }

    /// <summary>A trace of TinyMoe's shape (2 layers, 8 experts, top-2) where every token at every layer picks experts 3 and 5.</summary>
    private string ConstantTrace()
    {
        var path = Path.Combine(_dir.Path, "constant.moetrace");
        using var writer = new MoESim.Traces.Formats.MoeTraceWriter(path, new TraceShape { NumMoeLayers = 2, NumExperts = 8, TopK = 2 });
        var step = new RoutingStep();
        void Write(int iteration, int first, int tokens, bool prefill)
        {
            step.Reset(0, iteration, first, tokens, prefill, 2, 2, false);
            for (var i = 0; i < step.ExpertIds.Length; i += 2) (step.ExpertIds[i], step.ExpertIds[i + 1]) = (3, 5);
            writer.Write(step);
        }
        Write(0, 0, 2, true);
        Write(1, 2, 1, false);
        writer.Complete();
        return path;
    }

    [Test]
    public void Simulation_WithConstantTrace_ReadsExactlyTwoExpertsPerLayer_HandComputedBytes()
    {
        // Two requests decoding together (batch 2) would touch up to 4 experts per layer with
        // independent routing; the trace pins every token to experts {3, 5}, so each MoE layer
        // reads 2 experts' weights in every pass. TinyMoe on a 1e6 B/s device, bf16 (2 B), for a
        // decode pass of B sequences with total context C (ModelWork conventions), per layer:
        //   attention projections: weights 64·2 = 128, activations B·(2·4 + 4·4)·2 = 48B, KV write 8·2·B = 16B
        //   attention decode:      activations B·2·4·2 = 16B, KV read C·8·2 = 16C
        //   router:                weights 4·8·2 = 64, activations B·(4 + 8)·2 = 24B
        //   routed experts:        weights 2 experts × 192 = 384, activations B·2·(2·4 + 3·8)·2 = 128B
        //   shared experts (none): nothing
        //   layer total 576 + 232B + 16C; 2 layers 1152 + 464B + 32C; LM head 64·2 + B·(4 + 16)·2 = 128 + 40B
        //   pass: 1280 + 504B + 32C bytes.
        // Requests: prompt 4, output 3, both at t = 0: one prefill pass of 8 tokens, then decode passes
        // at B = 2 with contexts 5 + 5 = 10 and 6 + 6 = 12: 1280 + 1008 + 320 = 2608 and 2672 bytes.
        var model = TinyMoe();
        var device = MemoryBoundDevice();
        Request[] requests = [new Request(0, 0, 4, 3), new Request(1, 0, 4, 3)];
        using var router = TraceReplayRouter.Open(ConstantTrace(), model.Name, 2, 8, 2, requests);
        var server = ServingInstances.SingleDevice(new ModelWork(model), device, new RooflineTimeModel(device), requests, router,
            new ServingConfig { MaxBatchTokens = 64, MaxSequences = 8, MemoryUtilization = 0.9 });
        var result = server.Run();
        var decodes = result.Iterations.Where(i => i.PrefillTokens == 0).Select(i => i.Bytes).ToArray();
        Assert.That(decodes, Is.EqualTo(new[] { 2608.0, 2672.0 }).Within(1e-9).Percent);
        // The same passes with all 8 experts read would cost 2 layers × 6 × 192 = 2304 bytes more each.
        var all = new IterationCostModel(new ModelWork(model), new RooflineTimeModel(device)).Evaluate(BatchShape.Decode(2, 5), ReadOnlySpan<int>.Empty);
        Assert.That(all.Bytes - decodes[0], Is.EqualTo(2304).Within(1e-9).Percent);
    }
}
