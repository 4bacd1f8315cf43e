using MoESim.Tests.Config;
using MoESim.Traces;
using MoESim.Traces.Formats;
using MoESim.Traces.Replay;

namespace MoESim.Tests.Traces.Replay;

/// <summary>
/// Distinct experts per batch from a hand-built binary trace, counted by hand below, for every
/// way replay can answer: the summary built by the index pass, the summary loaded from the saved
/// index file, token by token (no summary) and the JSONL copy of the trace (streaming reader).
/// Covers whole prompts, prefixes, a chunk wrapping round the prefill, a chunk strictly inside it,
/// decode ordinals wrapping, phases borrowed from the other phase, and a request id past the list.
/// </summary>
[TestFixture]
public class ReplaySummaryHandCountTests
{
    private TempFolder _dir = null!;
    private string _binary = "";
    private string _jsonl = "";

    // Simulated 0..3: (prompt, output). Simulated i replays trace request i mod 3.
    private static readonly Request[] Requests = [new(0, 0, 6, 5), new(1, 0, 2, 2), new(2, 0, 3, 3), new(3, 0, 2, 4)];

    [OneTimeSetUp]
    public void WriteTrace()
    {
        _dir = new TempFolder();
        _binary = Path.Combine(_dir.Path, "hand.moetrace");
        _jsonl = Path.Combine(_dir.Path, "hand.jsonl");
        foreach (var path in new[] { _binary, _jsonl })
        {
            // Two layers, 8 experts, top-2. Ids per step: layer 0 tokens..., then layer 1 tokens...
            using var writer = RoutingTraceFiles.CreateWriter(path, new TraceShape { NumMoeLayers = 2, NumExperts = 8, TopK = 2 });
            var step = new RoutingStep();
            void Write(int request, int iteration, int first, bool prefill, params int[] ids)
            {
                step.Reset(request, iteration, first, ids.Length / 4, prefill, 2, 2, false);
                ids.CopyTo(step.ExpertIds);
                writer.Write(step);
            }
            // Trace request 10 (index 0): prefill 4 tokens, decode 3.
            //   prefill L0: t0 [0,1] t1 [2,3] t2 [0,4] t3 [5,6]   L1: t0 [7,6] t1 [7,5] t2 [1,7] t3 [2,3]
            //   decode  d0: L0 [1,2] L1 [0,4]   d1: L0 [6,7] L1 [0,1]   d2: L0 [3,4] L1 [6,7]
            // Trace request 20 (index 1): prefill 3 tokens in two steps, no decode.
            //   prefill L0: t0 [4,5] t1 [4,6] | t2 [7,0]   L1: t0 [0,1] t1 [2,3] | t2 [0,5]
            // Trace request 30 (index 2): no prefill, decode 2.
            //   decode  d0: L0 [2,5] L1 [3,4]   d1: L0 [6,1] L1 [4,0]
            Write(10, 0, 0, true, 0, 1, 2, 3, 0, 4, 5, 6, /* L1 */ 7, 6, 7, 5, 1, 7, 2, 3);
            Write(20, 0, 0, true, 4, 5, 4, 6, /* L1 */ 0, 1, 2, 3);
            Write(10, 1, 4, false, 1, 2, 0, 4);
            Write(30, 0, 0, false, 2, 5, 3, 4);
            Write(20, 1, 2, true, 7, 0, 0, 5);
            Write(10, 2, 5, false, 6, 7, 0, 1);
            Write(30, 1, 1, false, 6, 1, 4, 0);
            Write(10, 3, 6, false, 3, 4, 6, 7);
            writer.Complete();
        }
    }

    [OneTimeTearDown]
    public void TearDown() => _dir.Delete();

    public enum Way { Summary, SavedIndex, TokenByToken, Jsonl }

    private TraceReplayRouter Open(Way way) => way switch
    {
        Way.Summary => TraceReplayRouter.Open(_binary, "hand", 2, 8, 2, Requests, useIndexFile: false),
        Way.SavedIndex => OpenSaved(),
        Way.TokenByToken => TraceReplayRouter.Open(_binary, "hand", 2, 8, 2, Requests, TraceReplayRouter.DefaultCacheSelections, false, summaryBudgetBytes: 0),
        _ => TraceReplayRouter.Open(_jsonl, "hand", 2, 8, 2, Requests),
    };

    private TraceReplayRouter OpenSaved()
    {
        File.Delete(ReplayIndexFile.PathFor(_binary));
        using (var first = IndexSavingRouter.Open(_binary, "hand", 2, 8, 2, Requests)) // index pass, saves the file
            Assert.That(first.IndexFromFile, Is.False);
        Assert.That(File.Exists(ReplayIndexFile.PathFor(_binary)), Is.True);
        var router = TraceReplayRouter.Open(_binary, "hand", 2, 8, 2, Requests);
        Assert.That(router.IndexFromFile, Is.True);
        return router;
    }

    private static RoutingBatch Batch(params SequenceSlice[] slices)
    {
        var batch = new RoutingBatch();
        foreach (var s in slices) batch.Add(s);
        return batch;
    }

    private static IEnumerable<TestCaseData> Batches()
    {
        // Sim 0 whole prompt (6 ≥ 4 prefill tokens: all of them). L0 {0..6}, L1 {1,2,3,5,6,7}.
        yield return new TestCaseData(new[] { new SequenceSlice(0, 0, 6, true) }, new[] { 7, 6 }).SetName("{m}(whole prompt, wraps)");
        // Sim 3 prefix: tokens 0, 1. L0 {0,1,2,3}, L1 {5,6,7}.
        yield return new TestCaseData(new[] { new SequenceSlice(3, 0, 2, true) }, new[] { 4, 3 }).SetName("{m}(prefix)");
        // Sim 0 chunk at positions 3, 4: tokens 3 and 0 (suffix + prefix). L0 {0,1,5,6}, L1 {2,3,6,7}.
        yield return new TestCaseData(new[] { new SequenceSlice(0, 3, 2, true) }, new[] { 4, 4 }).SetName("{m}(chunk wrapping round)");
        // Sim 0 chunk at positions 1, 2: strictly inside. L0 {0,2,3,4}, L1 {1,5,7}.
        yield return new TestCaseData(new[] { new SequenceSlice(0, 1, 2, true) }, new[] { 4, 3 }).SetName("{m}(chunk inside the prefill)");
        // Sim 0 position 8 = decode ordinal 2; sim 3 position 3 = ordinal 1. L0 {3,4,6,7}, L1 {0,1,6,7}.
        yield return new TestCaseData(new[] { new SequenceSlice(0, 8, 1, false), new SequenceSlice(3, 3, 1, false) }, new[] { 4, 4 }).SetName("{m}(decode tokens)");
        // Sim 0 position 9 = ordinal 3 mod 3 = 0. L0 {1,2}, L1 {0,4}.
        yield return new TestCaseData(new[] { new SequenceSlice(0, 9, 1, false) }, new[] { 2, 2 }).SetName("{m}(decode ordinal wraps)");
        // That token (d0) with sim 3 position 4 = ordinal 2 (d2): L0 {1,2,3,4}, L1 {0,4,6,7}.
        yield return new TestCaseData(new[] { new SequenceSlice(0, 9, 1, false), new SequenceSlice(3, 4, 1, false) }, new[] { 4, 4 }).SetName("{m}(decode ordinals overlapping)");
        // Sim 1 replays request 20, which has no decode: positions 2 and 4 mod 3 = prefill tokens 2 and 1.
        // L0 {7,0} ∪ {4,6}, L1 {0,5} ∪ {2,3}.
        yield return new TestCaseData(new[] { new SequenceSlice(1, 2, 1, false), new SequenceSlice(1, 4, 1, false) }, new[] { 4, 4 }).SetName("{m}(decode borrows prefill)");
        // Sim 2 replays request 30, which has no prefill: positions 0..2 mod 2 = decode 0, 1, 0. L0 {1,2,5,6}, L1 {0,3,4}.
        yield return new TestCaseData(new[] { new SequenceSlice(2, 0, 3, true) }, new[] { 4, 3 }).SetName("{m}(prefill borrows decode)");
        // Sim 2 position 4 = ordinal 1. L0 {1,6}, L1 {0,4}.
        yield return new TestCaseData(new[] { new SequenceSlice(2, 4, 1, false) }, new[] { 2, 2 }).SetName("{m}(decode-only request)");
        // Id 7 is past the request list: trace request 7 mod 3 = 1 (request 20), tokens 0, 1. L0 {4,5,6}, L1 {0,1,2,3}.
        yield return new TestCaseData(new[] { new SequenceSlice(7, 0, 2, true) }, new[] { 3, 4 }).SetName("{m}(id past the list)");
        // Whole prompt of sim 0 plus sim 1's borrowed token 2: L0 {0..7}, L1 {0,1,2,3,5,6,7}.
        yield return new TestCaseData(new[] { new SequenceSlice(0, 0, 6, true), new SequenceSlice(1, 2, 1, false) }, new[] { 8, 7 }).SetName("{m}(mixed batch)");
    }

    [TestCaseSource(nameof(Batches))]
    public void DistinctExperts_MatchTheHandCount(SequenceSlice[] slices, int[] expected)
    {
        foreach (var way in Enum.GetValues<Way>())
        {
            using var router = Open(way);
            var distinct = new int[2];
            router.RouteDistinct(Batch(slices), distinct);
            Assert.That(distinct, Is.EqualTo(expected), way.ToString());
        }
    }

    [Test]
    public void TokenCounts_MatchTheHandCount()
    {
        using var router = Open(Way.Summary);
        // Chunk at positions 3, 4 of sim 0: tokens 3 [5,6] | [2,3] and 0 [0,1] | [7,6].
        var counts = new int[16];
        var distinct = new int[2];
        router.Route(Batch(new SequenceSlice(0, 3, 2, true)), counts, distinct);
        Assert.That(counts, Is.EqualTo(new[] { 1, 1, 0, 0, 0, 1, 1, 0, /* L1 */ 0, 0, 1, 1, 0, 0, 1, 1 }));
        // Decode ordinals 2 and 1: [3,4] | [6,7] and [6,7] | [0,1].
        router.Route(Batch(new SequenceSlice(0, 8, 1, false), new SequenceSlice(3, 3, 1, false)), counts, distinct);
        Assert.That(counts, Is.EqualTo(new[] { 0, 0, 0, 1, 1, 0, 1, 1, /* L1 */ 1, 1, 0, 0, 0, 0, 1, 1 }));
        Assert.That(distinct, Is.EqualTo(new[] { 4, 4 }));
    }

    [Test]
    public void SummaryRoutes_DecodeNothing_ButAChunkInsideThePrefillDoes()
    {
        using var router = Open(Way.Summary);
        var distinct = new int[2];
        router.RouteDistinct(Batch(new SequenceSlice(0, 0, 6, true), new SequenceSlice(0, 8, 1, false), new SequenceSlice(2, 0, 3, true)), distinct);
        Assert.That(router.Decodes, Is.Zero);
        router.RouteDistinct(Batch(new SequenceSlice(0, 1, 2, true)), distinct);
        Assert.That(router.Decodes, Is.EqualTo(1));
    }
}
