using MoESim.Randomness;
using MoESim.Tests.Config;
using MoESim.Tests.Traces.Formats;
using MoESim.Traces;
using MoESim.Traces.Formats;
using MoESim.Traces.Replay;

namespace MoESim.Tests.Traces.Replay;

/// <summary>
/// The replay router decodes only the tokens its simulated requests can reach (and one byte per
/// id up to 256 experts); these tests compare every routing answer on a random, interleaved
/// trace with a straightforward computation from the trace's steps under the documented mapping.
/// </summary>
[TestFixture]
public class TraceReplayPartialDecodeTests
{
    private const int Layers = 3;
    private const int TopK = 2;
    private TempFolder _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempFolder();

    [TearDown]
    public void TearDown() => _dir.Delete();

    /// <summary>
    /// Trace requests 0..3 with 2 prefill steps (6 and 5 tokens) then 4 one-token decode steps,
    /// decode steps interleaved across requests; request 3 has no decode steps. Random distinct ids.
    /// </summary>
    private string RandomTrace(int experts, SeededRandom random)
    {
        var path = Path.Combine(_dir.Path, $"random-{experts}.moetrace");
        var shape = new TraceShape { NumMoeLayers = Layers, NumExperts = experts, TopK = TopK };
        using var writer = RoutingTraceFiles.CreateWriter(path, shape);
        var step = new RoutingStep();
        void Write(int request, int iteration, int first, int tokens, bool prefill)
        {
            step.Reset(request, iteration, first, tokens, prefill, Layers, TopK, false);
            var ids = step.ExpertIds;
            for (var i = 0; i < ids.Length; i += TopK)
            {
                ids[i] = random.NextInt(experts);
                ids[i + 1] = (ids[i] + 1 + random.NextInt(experts - 1)) % experts;
            }
            writer.Write(step);
        }
        for (var r = 0; r < 4; r++)
        {
            Write(r, 0, 0, 6, true);
            Write(r, 1, 6, 5, true);
        }
        for (var d = 0; d < 4; d++)
            for (var r = 0; r < 3; r++) Write(r, 2 + d, 11 + d, 1, false);
        writer.Complete();
        return path;
    }

    [TestCase(8, 1UL)]
    [TestCase(8, 2UL)]
    [TestCase(300, 3UL)] // two-byte ids
    public void RandomBatches_MatchTheStraightforwardMapping(int experts, ulong seed)
    {
        var random = new SeededRandom(seed);
        var path = RandomTrace(experts, random.Fork(0));
        var shapeRandom = random.Fork(1);
        // Simulated i replays trace request i mod 4: trace requests 2 and 3 serve only short
        // requests (a prefix is held), 0 and 1 also long ones that wrap (held in full).
        var requests = Enumerable.Range(0, 10)
            .Select(i => new Request(i, 0, 1 + shapeRandom.NextInt(i < 8 ? 4 : 30), 1 + shapeRandom.NextInt(i < 8 ? 2 : 9))).ToArray();
        var reference = new ReplayReference(path, requests);
        using var router = TraceReplayRouter.Open(path, "random", Layers, experts, TopK, requests);
        var batchRandom = random.Fork(2);
        var batch = new RoutingBatch();
        for (var pass = 0; pass < 200; pass++)
        {
            batch.Clear();
            var slices = 1 + batchRandom.NextInt(4);
            for (var s = 0; s < slices; s++)
            {
                // Ids past the request list (10..11) have unknown lengths: the router must decode them in full.
                var id = batchRandom.NextInt(pass < 150 ? 10 : 12);
                var (prompt, output) = id < requests.Length ? (requests[id].PromptTokens, requests[id].OutputTokens) : (40, 40);
                if (batchRandom.NextInt(2) == 0)
                {
                    var first = batchRandom.NextInt(prompt);
                    batch.Add(new SequenceSlice(id, first, 1 + batchRandom.NextInt(prompt - first), true));
                }
                else batch.Add(new SequenceSlice(id, prompt + batchRandom.NextInt(output), 1, false));
            }
            AssertRouting(router, batch, reference, experts);
            // Requests in the list never reach past what was decoded for them: one decode each.
            if (pass == 149) Assert.That(router.Decodes, Is.EqualTo(4));
        }
        // Ids 10 and 11 (trace requests 2 and 3, held in part) reach further: decoded again in full.
        Assert.That(router.Decodes, Is.EqualTo(6));
    }

    private static void AssertRouting(TraceReplayRouter router, RoutingBatch batch, ReplayReference reference, int experts)
    {
        var (expectedIds, expectedCounts, expectedDistinct) = reference.Route(batch, experts);
        var routedIds = new int[expectedIds.Length];
        router.RouteTokens(batch, routedIds);
        Assert.That(routedIds, Is.EqualTo(expectedIds), "RouteTokens");
        var distinct = new int[Layers];
        router.RouteDistinct(batch, distinct);
        Assert.That(distinct, Is.EqualTo(expectedDistinct), "RouteDistinct");
        var counts = new int[Layers * experts];
        router.Route(batch, counts, distinct);
        Assert.That(counts, Is.EqualTo(expectedCounts), "Route counts");
        Assert.That(distinct, Is.EqualTo(expectedDistinct), "Route distinct");
    }
}
