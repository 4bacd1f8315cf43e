using MoESim.Cost;
using MoESim.Randomness;
using MoESim.Serving;
using MoESim.Tests.Config;
using MoESim.Traces;
using MoESim.Traces.Formats;
using MoESim.Traces.Replay;
using static MoESim.Tests.Serving.TestModels;

namespace MoESim.Tests.Traces.Replay;

/// <summary>
/// A whole single-device simulation replaying one trace three ways gives the same passes (start,
/// end, bytes) to the picosecond: the binary trace through the summary, the binary trace through
/// its saved index file, and the same trace as JSONL through the streaming reader and token-by-token
/// counting (replay as it was before summaries). Small batch budgets force chunked prompts, so
/// chunks inside a prefill (answered by decoding) mix with summary answers.
/// </summary>
[TestFixture]
public class ReplaySimulationEquivalenceTests
{
    private TempFolder _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempFolder();

    [TearDown]
    public void TearDown() => _dir.Delete();

    private (string Binary, string Jsonl) WriteTrace(SeededRandom random)
    {
        var paths = (Path.Combine(_dir.Path, "t.moetrace"), Path.Combine(_dir.Path, "t.jsonl"));
        var shape = new TraceShape { NumMoeLayers = 2, NumExperts = 8, TopK = 2 };
        var requests = Enumerable.Range(0, 7).Select(_ => (Prefill: 5 + random.NextInt(40), Decode: 2 + random.NextInt(15))).ToArray();
        var seed = random.NextInt(1 << 20);
        foreach (var path in new[] { paths.Item1, paths.Item2 })
        {
            var ids = new SeededRandom((ulong)seed);
            using var writer = RoutingTraceFiles.CreateWriter(path, shape);
            var step = new RoutingStep();
            void Write(int request, int iteration, int first, int tokens, bool prefill)
            {
                step.Reset(request, iteration, first, tokens, prefill, 2, 2, false);
                for (var g = 0; g < step.ExpertIds.Length; g += 2)
                {
                    // Skewed towards experts 0..2 so that batches touch varying numbers of experts.
                    var start = ids.NextInt(3) == 0 ? ids.NextInt(8) : ids.NextInt(3);
                    (step.ExpertIds[g], step.ExpertIds[g + 1]) = (start, (start + 1 + ids.NextInt(2)) % 8);
                }
                writer.Write(step);
            }
            for (var r = 0; r < requests.Length; r++)
            {
                var half = requests[r].Prefill / 2;
                Write(r, 0, 0, half, true);
                Write(r, 1, half, requests[r].Prefill - half, true);
                for (var d = 0; d < requests[r].Decode; d++) Write(r, 2 + d, requests[r].Prefill + d, 1, false);
            }
            writer.Complete();
        }
        return paths;
    }

    private static List<(long, long, double)> Simulate(TraceReplayRouter router, Request[] requests)
    {
        var model = TinyMoe();
        var device = MemoryBoundDevice();
        var server = ServingInstances.SingleDevice(new ModelWork(model), device, new RooflineTimeModel(device), requests, router,
            new ServingConfig { MaxBatchTokens = 24, MaxSequences = 6, MemoryUtilization = 0.9 });
        return server.Run().Iterations.Select(i => (i.StartPicoseconds, i.EndPicoseconds, i.Bytes)).ToList();
    }

    [TestCase(1UL)]
    [TestCase(2UL)]
    public void SummaryIndexFileAndStreamingReplay_SimulateIdentically(ulong seed)
    {
        var random = new SeededRandom(seed);
        var (binary, jsonl) = WriteTrace(random.Fork(0));
        var shapes = random.Fork(1);
        var requests = Enumerable.Range(0, 30).Select(i => new Request(i, 0.002 * i, 3 + shapes.NextInt(60), 1 + shapes.NextInt(25))).ToArray();

        List<(long, long, double)> viaSummary;
        using (var router = IndexSavingRouter.Open(binary, "tiny-moe", 2, 8, 2, requests))
        {
            Assert.That(router.IndexFromFile, Is.False);
            viaSummary = Simulate(router, requests);
            Assert.That(router.Decodes, Is.GreaterThan(0), "some prompt chunks fell strictly inside a prefill");
        }
        using var saved = TraceReplayRouter.Open(binary, "tiny-moe", 2, 8, 2, requests);
        Assert.That(saved.IndexFromFile, Is.True);
        using var streaming = TraceReplayRouter.Open(jsonl, "tiny-moe", 2, 8, 2, requests);

        Assert.That(viaSummary, Has.Count.GreaterThan(50));
        Assert.That(Simulate(saved, requests), Is.EqualTo(viaSummary), "saved index file");
        Assert.That(Simulate(streaming, requests), Is.EqualTo(viaSummary), "JSONL, token by token");
    }
}
