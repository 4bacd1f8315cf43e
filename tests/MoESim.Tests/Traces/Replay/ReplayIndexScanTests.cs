using MoESim.Config;
using MoESim.Tests.Config;
using MoESim.Tests.Traces.Formats;
using MoESim.Traces;
using MoESim.Traces.Formats;
using MoESim.Traces.Replay;

namespace MoESim.Tests.Traces.Replay;

/// <summary>
/// Replay's own index pass over a broken binary trace reports the same error (file, chunk
/// offset, step, field, problem) as the streaming reader reading the file front to back.
/// </summary>
[TestFixture]
public class ReplayIndexScanTests
{
    private static readonly TraceShape Small = new() { NumMoeLayers = 2, NumExperts = 4, TopK = 2 };
    private TempFolder _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempFolder();

    [TearDown]
    public void TearDown() => _dir.Delete();

    private string WriteSteps(TraceShape shape, params (int Request, int Iteration, int First, bool Prefill, int[] Ids)[] steps)
    {
        var path = Path.Combine(_dir.Path, "t.moetrace");
        using var writer = RoutingTraceFiles.CreateWriter(path, shape);
        var step = new RoutingStep();
        foreach (var s in steps)
        {
            step.Reset(s.Request, s.Iteration, s.First, s.Ids.Length / (shape.NumMoeLayers * shape.TopK), s.Prefill, shape.NumMoeLayers, shape.TopK, false);
            s.Ids.CopyTo(step.ExpertIds);
            writer.Write(step);
        }
        writer.Complete();
        return path;
    }

    private static void AssertSameErrorAsTheReader(string path, TraceShape shape)
    {
        var expected = Assert.Throws<InputException>(() => TraceTestFiles.ReadAll(path))!.Errors[0];
        var actual = Assert.Throws<InputException>(() =>
            TraceReplayRouter.Open(path, "m", shape.NumMoeLayers, shape.NumExperts, shape.TopK, [new Request(0, 0, 1, 1)], useIndexFile: false))!.Errors[0];
        Assert.That((actual.File, actual.Field, actual.Problem), Is.EqualTo((expected.File, expected.Field, expected.Problem)));
    }

    private string Valid() => WriteSteps(Small, (0, 0, 0, true, [0, 1, 2, 3]), (0, 1, 1, false, [0, 1, 2, 3]), (1, 0, 0, true, [1, 2, 3, 0]));

    [Test]
    public void ExpertIdOutOfRange() => AssertSameErrorAsTheReader(WriteSteps(Small, (0, 0, 0, true, [0, 1, 2, 3]), (0, 1, 1, false, [0, 1, 9, 3])), Small);

    [Test]
    public void DuplicateExpert_InAPrefillStep() => AssertSameErrorAsTheReader(WriteSteps(Small, (0, 0, 0, true, [0, 1, 3, 3])), Small);

    [Test]
    public void DuplicateExpert_InADecodeStep_VectorisedMixtralCase()
    {
        var shape = new TraceShape { NumMoeLayers = 32, NumExperts = 8, TopK = 2 };
        var prefill = Enumerable.Range(0, 64).Select(i => (i / 2 + i % 2) % 8).ToArray();
        var decode = (int[])prefill.Clone();
        decode[41] = decode[40]; // layer 20 repeats an expert
        AssertSameErrorAsTheReader(WriteSteps(shape, (0, 0, 0, true, prefill), (0, 1, 1, false, decode)), shape);
    }

    [Test]
    public void OddTopK_ScalarCheck() =>
        AssertSameErrorAsTheReader(WriteSteps(new TraceShape { NumMoeLayers = 1, NumExperts = 9, TopK = 3 }, (0, 0, 0, true, [0, 1, 2, 4, 5, 4])),
            new TraceShape { NumMoeLayers = 1, NumExperts = 9, TopK = 3 });

    [Test]
    public void IterationsOutOfOrder() => AssertSameErrorAsTheReader(WriteSteps(Small, (0, 2, 0, true, [0, 1, 2, 3]), (0, 1, 1, true, [0, 1, 2, 3])), Small);

    [Test]
    public void GapBetweenConsecutiveIterations() => AssertSameErrorAsTheReader(WriteSteps(Small, (0, 0, 0, true, [0, 1, 2, 3]), (0, 1, 3, false, [0, 1, 2, 3])), Small);

    [Test]
    public void PrefillAfterDecode() =>
        AssertSameErrorAsTheReader(WriteSteps(Small, (0, 0, 0, true, [0, 1, 2, 3]), (0, 1, 1, false, [0, 1, 2, 3]), (0, 2, 2, true, [0, 1, 2, 3])), Small);

    [Test]
    public void BadCrc()
    {
        var path = Valid();
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        AssertSameErrorAsTheReader(path, Small);
    }

    [Test]
    public void TruncatedInsidePayload()
    {
        var path = Valid();
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..^3]);
        AssertSameErrorAsTheReader(path, Small);
    }

    [Test]
    public void TruncatedAtChunkBoundary()
    {
        var path = Valid();
        var header = new MoeTraceReader(path).Header.Encode().Length;
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..header]);
        AssertSameErrorAsTheReader(path, Small);
    }

    [Test]
    public void BadChunkMagic()
    {
        var path = Valid();
        var bytes = File.ReadAllBytes(path);
        bytes[new MoeTraceReader(path).Header.Encode().Length] = (byte)'X';
        File.WriteAllBytes(path, bytes);
        AssertSameErrorAsTheReader(path, Small);
    }

    [Test]
    public void BadHeaderCrc()
    {
        var path = Valid();
        var bytes = File.ReadAllBytes(path);
        bytes[30] ^= 0x10; // inside the header's counts
        File.WriteAllBytes(path, bytes);
        AssertSameErrorAsTheReader(path, Small);
    }
}
