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

    /// <summary>Ten prompts of 60,000 tokens (240 KB of ids each): about three 1 MB chunks, read ahead one at a time.</summary>
    private string ManyChunks(int badIdInRequest = -1)
    {
        var steps = new List<(int, int, int, bool, int[])>();
        for (var r = 0; r < 10; r++)
        {
            var ids = new int[60_000 * Small.NumMoeLayers * Small.TopK];
            for (var i = 0; i < ids.Length; i += 2) (ids[i], ids[i + 1]) = ((i / 2 + r) % 4, (i / 2 + r + 1) % 4);
            if (r == badIdInRequest) ids[7] = 9;
            steps.Add((r, 0, 0, true, ids));
        }
        return WriteSteps(Small, [.. steps]);
    }

    [Test]
    public void SeveralChunks_AllStepsComeThrough()
    {
        var path = ManyChunks();
        using var reader = new MoeTraceReader(path);
        Assert.That(reader.Header.Chunks, Is.GreaterThanOrEqualTo(3), "the case needs chunks read ahead");
        using var scanner = new MoeTraceScanner(path, reader.Header);
        var requests = new List<int>();
        while (scanner.TryNext(out var step))
        {
            Assert.That(step.Ids.Length, Is.EqualTo(60_000 * 4));
            Assert.That(step.Ids[0], Is.EqualTo(step.RequestId % 4), $"first id of request {step.RequestId}");
            requests.Add(step.RequestId);
        }
        Assert.That(requests, Is.EqualTo(Enumerable.Range(0, 10)));
        Assert.That(scanner.Chunks, Is.EqualTo(reader.Header.Chunks));
    }

    [Test]
    public void SeveralChunks_AnEarlierChunksBadId_ComesBeforeALaterChunksBadCrc()
    {
        var path = ManyChunks(badIdInRequest: 0);
        var bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x01; // inside the last chunk, already read (ahead) while the first is checked
        File.WriteAllBytes(path, bytes);
        AssertSameErrorAsTheReader(path, Small);
        var error = Assert.Throws<InputException>(() =>
            TraceReplayRouter.Open(path, "m", 2, 4, 2, [new Request(0, 0, 1, 1)], useIndexFile: false))!.Errors[0];
        Assert.That(error.Field, Does.Contain("step 0"));
    }

    [Test]
    public void SeveralChunks_ABadChunkReadAheadButNeverReached_DisposeIsQuiet()
    {
        var path = ManyChunks();
        MoeTraceHeader header;
        using (var reader = new MoeTraceReader(path)) header = reader.Header;
        var bytes = File.ReadAllBytes(path);
        var afterFirstMagic = header.Encode().Length + 4;
        var second = afterFirstMagic + bytes.AsSpan(afterFirstMagic).IndexOf(MoeTraceFormat.ChunkMagic);
        bytes[second + MoeTraceFormat.ChunkHeaderBytes + 100] ^= 0x01; // the second chunk's CRC fails; it is read ahead while the caller is in the first
        File.WriteAllBytes(path, bytes);
        var scanner = new MoeTraceScanner(path, header);
        Assert.That(scanner.TryNext(out _), Is.True);
        Assert.DoesNotThrow(scanner.Dispose, "the caller stopped before the bad chunk");
        // Scanning on reaches it: reported at the second chunk, in file order.
        using var again = new MoeTraceScanner(path, header);
        var error = Assert.Throws<InputException>(() => { while (again.TryNext(out _)) { } })!.Errors[0];
        Assert.That(error.Field, Is.EqualTo($"chunk at byte {second}: chunk crc32"));
    }

    [Test]
    public void SeveralChunks_ALaterChunksBadCrc_IsReported()
    {
        var path = ManyChunks();
        var bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        AssertSameErrorAsTheReader(path, Small);
    }
}
