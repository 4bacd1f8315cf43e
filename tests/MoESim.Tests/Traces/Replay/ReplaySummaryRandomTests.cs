using MoESim.Config;
using MoESim.Randomness;
using MoESim.Tests.Config;
using MoESim.Traces;
using MoESim.Traces.Formats;
using MoESim.Traces.Replay;

namespace MoESim.Tests.Traces.Replay;

/// <summary>
/// Distinct experts from the replay summary (fresh, and loaded from the saved index file) against
/// the documented mapping computed plainly (<see cref="ReplayReference"/>), on random traces of
/// many shapes (mask widths of 1, 2, 4, 8, 16 and 32 bytes, top-1 to top-8, the vectorised 32-layer
/// Mixtral case) with interleaved steps, prompts recorded in several chunks, multi-token decode
/// steps, a decode-only and a prefill-only request, and random batches of prompt chunks (inside,
/// wrapping, longer than the prefill) and decode tokens (wrapping, ids past the request list).
/// </summary>
[TestFixture]
public class ReplaySummaryRandomTests
{
    private TempFolder _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempFolder();

    [TearDown]
    public void TearDown() => _dir.Delete();

    private string RandomTrace(TraceShape shape, SeededRandom random)
    {
        var path = Path.Combine(_dir.Path, $"random-{shape.NumMoeLayers}-{shape.NumExperts}-{shape.TopK}.moetrace");
        // Per request: prefill chunks then decode steps (request 4 has no prefill, request 5 no decode).
        var pending = new List<Queue<(int Iteration, int First, int Tokens, bool Prefill)>>();
        for (var r = 0; r < 6; r++)
        {
            var steps = new Queue<(int, int, int, bool)>();
            var position = 0;
            var iteration = 0;
            if (r != 4)
                for (var c = 1 + random.NextInt(3); c > 0; c--)
                {
                    var tokens = 1 + random.NextInt(40);
                    steps.Enqueue((iteration++, position, tokens, true));
                    position += tokens;
                }
            if (r != 5)
                for (var d = 3 + random.NextInt(20); d > 0; d--)
                {
                    var tokens = random.NextInt(5) == 0 ? 2 : 1;
                    steps.Enqueue((iteration++, position, tokens, false));
                    position += tokens;
                }
            pending.Add(steps);
        }
        using var writer = RoutingTraceFiles.CreateWriter(path, shape);
        var step = new RoutingStep();
        while (pending.Any(q => q.Count > 0))
        {
            var r = random.NextInt(pending.Count);
            if (pending[r].Count == 0) continue;
            var (iteration, first, tokens, prefill) = pending[r].Dequeue();
            step.Reset(100 + r, iteration, first, tokens, prefill, shape.NumMoeLayers, shape.TopK, false);
            var ids = step.ExpertIds;
            for (var g = 0; g < ids.Length; g += shape.TopK)
            {
                // Skewed: low ids are common, so some experts stay unseen in short ranges.
                var start = random.NextInt(2) == 0 ? random.NextInt(Math.Max(1, shape.NumExperts / 4)) : random.NextInt(shape.NumExperts);
                for (var j = 0; j < shape.TopK; j++) ids[g + j] = (start + j) % shape.NumExperts;
            }
            writer.Write(step);
        }
        writer.Complete();
        return path;
    }

    [TestCase(3, 5, 2)]
    [TestCase(3, 8, 1)]
    [TestCase(32, 8, 2)]  // the vectorised decode-mask case
    [TestCase(2, 16, 4)]
    [TestCase(3, 33, 3)]
    [TestCase(2, 64, 8)]
    [TestCase(3, 128, 8)] // Qwen3 width: two-word masks
    [TestCase(2, 256, 8)] // DeepSeek-V3 width: four words, ids up to 255
    [TestCase(2, 100, 4)] // a partly used last word
    public void RandomBatches_MatchTheDocumentedMapping(int layers, int experts, int topK)
    {
        var random = new SeededRandom((ulong)(layers * 10_000 + experts * 100 + topK));
        var shape = new TraceShape { NumMoeLayers = layers, NumExperts = experts, TopK = topK };
        var path = RandomTrace(shape, random.Fork(0));
        var requests = Enumerable.Range(0, 12).Select(i => new Request(i, 0, 1 + random.NextInt(90), 1 + random.NextInt(40))).ToArray();
        var reference = new ReplayReference(path, requests);
        IndexSavingRouter.Open(path, "random", layers, experts, topK, requests).Dispose(); // saves the index file
        using var fresh = TraceReplayRouter.Open(path, "random", layers, experts, topK, requests, useIndexFile: false);
        using var saved = TraceReplayRouter.Open(path, "random", layers, experts, topK, requests);
        Assert.That((fresh.IndexFromFile, saved.IndexFromFile), Is.EqualTo((false, true)));
        Assert.That((fresh.UsesSummary, saved.UsesSummary), Is.EqualTo((true, true)), "the mask path is the one under test");
        var batch = new RoutingBatch();
        var distinct = new int[layers];
        for (var pass = 0; pass < 150; pass++)
        {
            batch.Clear();
            for (var s = 1 + random.NextInt(5); s > 0; s--)
            {
                var id = random.NextInt(14); // 12 and 13 are past the request list
                var prompt = id < requests.Length ? requests[id].PromptTokens : 50;
                if (random.NextInt(2) == 0)
                {
                    var first = random.NextInt(2 * prompt);
                    batch.Add(new SequenceSlice(id, first, 1 + random.NextInt(prompt), true));
                }
                else batch.Add(new SequenceSlice(id, prompt + random.NextInt(60), 1, false));
            }
            var expected = reference.Route(batch, experts).Distinct;
            foreach (var (name, router) in new[] { ("fresh", fresh), ("saved", saved) })
            {
                router.RouteDistinct(batch, distinct);
                Assert.That(distinct, Is.EqualTo(expected), $"{name}, pass {pass}");
            }
        }
    }

    /// <summary>
    /// Over budget the router counts token by token: from the header's counts up front (100 bytes).
    /// A header that undercounts requests and decode tokens makes the pass fall back part-way
    /// (500 bytes; 1,152: room for the 6 requests' first/last positions, 3 layers × 8 experts ×
    /// 8 bytes each, but not for their decode masks), and at the end of the file the wrong counts
    /// are an input error, as in every reader of the format (issue 12).
    /// </summary>
    [TestCase(100, false)]
    [TestCase(500, true)]
    [TestCase(1152, true)]
    public void SummaryOverBudget_RoutesTokenByToken_WithTheSameAnswers(long budgetBytes, bool headerUndercounts)
    {
        var random = new SeededRandom(11);
        var shape = new TraceShape { NumMoeLayers = 3, NumExperts = 8, TopK = 2 };
        var path = RandomTrace(shape, random.Fork(0));
        if (headerUndercounts)
        {
            var reader = new MoeTraceReader(path);
            var header = reader.Header;
            reader.Dispose();
            var bytes = File.ReadAllBytes(path);
            (header with { Requests = 1, DecodeTokens = 0 }).Encode().CopyTo(bytes, 0); // same length, valid header CRC
            File.WriteAllBytes(path, bytes);
        }
        var requests = Enumerable.Range(0, 8).Select(i => new Request(i, 0, 1 + random.NextInt(60), 1 + random.NextInt(30))).ToArray();
        if (headerUndercounts)
        {
            var ex = Assert.Throws<InputException>(() => TraceReplayRouter.Open(path, "random", 3, 8, 2, requests, TraceReplayRouter.DefaultCacheSelections, false, budgetBytes).Dispose());
            Assert.That(ex!.Message, Does.Contain("header requests: the header says 1, the chunks hold 6"));
            return;
        }
        var reference = new ReplayReference(path, requests);
        using var router = TraceReplayRouter.Open(path, "random", 3, 8, 2, requests, TraceReplayRouter.DefaultCacheSelections, false, budgetBytes);
        var batch = new RoutingBatch();
        var distinct = new int[3];
        for (var id = 0; id < 8; id++)
        {
            batch.Clear();
            batch.Add(new SequenceSlice(id, 0, requests[id].PromptTokens, true));
            batch.Add(new SequenceSlice((id + 1) % 8, requests[(id + 1) % 8].PromptTokens + 2, 1, false));
            router.RouteDistinct(batch, distinct);
            Assert.That(distinct, Is.EqualTo(reference.Route(batch, 8).Distinct), $"batch {id}");
        }
        Assert.That(router.Decodes, Is.GreaterThan(0), "no summary: answered by decoding");
    }
}
