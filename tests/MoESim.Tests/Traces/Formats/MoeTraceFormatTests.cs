using System.Buffers.Binary;
using MoESim.Config;
using MoESim.Tests.Config;
using MoESim.Traces;
using MoESim.Traces.Formats;
using MoESim.Traces.Statistics;

namespace MoESim.Tests.Traces.Formats;

[TestFixture]
public class MoeTraceFormatTests
{
    private TempFolder _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempFolder();

    [TearDown]
    public void TearDown() => _dir.Delete();

    private static TraceShape Shape(int experts, bool weights = false) =>
        new() { NumMoeLayers = 3, NumExperts = experts, TopK = 4, HasGateWeights = weights, ModelName = "pattern" };

    [TestCase(8, false)]
    [TestCase(256, true)]
    [TestCase(300, true)] // uint16 ids
    public void WriteThenRead_GivesBackEveryStep_AcrossManyChunks(int experts, bool weights)
    {
        var shape = Shape(experts, weights);
        var binary = Path.Combine(_dir.Path, "a.moetrace");
        // 200 requests × (700-token prefill + 40 decodes): ~1.8M selections, over 1 MiB, so several chunks.
        TraceTestFiles.WritePattern(binary, shape, 200, 40, 700);
        var expected = new RoutingStep();
        var read = new RoutingStep();
        var mismatches = 0;
        using (var check = new MoeTraceReader(binary))
        {
            for (var r = 0; r < 200; r++)
                for (var it = 0; it <= 40; it++)
                {
                    // Plain comparisons: NUnit asserts per step would dominate the test's time.
                    if (!check.TryRead(read)) { mismatches++; continue; }
                    TraceTestFiles.Fill(expected, shape, r, it, it == 0 ? 0 : 700 + it - 1, it == 0 ? 700 : 1, it == 0);
                    var same = (read.RequestId, read.Iteration, read.FirstTokenIndex, read.TokenCount, read.IsPrefill) == (expected.RequestId, expected.Iteration, expected.FirstTokenIndex, expected.TokenCount, expected.IsPrefill)
                        && read.ExpertIds.SequenceEqual(expected.ExpertIds) && (!weights || read.GateWeights.SequenceEqual(expected.GateWeights));
                    if (!same) mismatches++;
                }
            Assert.That(check.TryRead(read), Is.False);
        }
        Assert.That(mismatches, Is.Zero);
        using var reader = new MoeTraceReader(binary);
        Assert.That(reader.Shape, Is.EqualTo(shape));
        var h = reader.Header;
        Assert.That((h.Requests, h.Steps, h.PrefillTokens, h.DecodeTokens, h.Selections), Is.EqualTo((200L, 200L * 41, 200L * 700, 200L * 40, 200L * 740 * 3 * 4)));
        var step = new RoutingStep();
        while (reader.TryRead(step)) { }
        Assert.That(reader.ChunksRead, Is.EqualTo(h.Chunks).And.GreaterThan(1));
    }

    [Test]
    public void IdsAreOneBytePerSelectionUpTo256Experts()
    {
        var small = Path.Combine(_dir.Path, "s.moetrace");
        var wide = Path.Combine(_dir.Path, "w.moetrace");
        TraceTestFiles.WritePattern(small, Shape(256), 10, 10, 100);
        TraceTestFiles.WritePattern(wide, Shape(257), 10, 10, 100);
        var selections = 10 * 110 * 3 * 4;
        // Same steps, one byte more per selection (header sizes are equal: same model name).
        Assert.That(new FileInfo(wide).Length - new FileInfo(small).Length, Is.EqualTo(selections));
    }

    [Test]
    public void RoundTrip_JsonlToBinaryToJsonl_IsIdentical()
    {
        var a = Path.Combine(_dir.Path, "a.jsonl");
        var b = Path.Combine(_dir.Path, "b.moetrace");
        var c = Path.Combine(_dir.Path, "c.jsonl");
        Convert(TraceTestFiles.Tiny, a);
        Convert(a, b);
        Convert(b, c);
        Assert.That(File.ReadAllBytes(c), Is.EqualTo(File.ReadAllBytes(a)));
        // The hand-written sample is already in the writer's canonical form.
        Assert.That(File.ReadAllText(a), Is.EqualTo(File.ReadAllText(TraceTestFiles.Tiny)));
        TraceTestFiles.AssertSame(TraceTestFiles.ReadAll(TraceTestFiles.Tiny), TraceTestFiles.ReadAll(b));
    }

    private static void Convert(string from, string to)
    {
        using var reader = RoutingTraceFiles.OpenReader(from);
        using var writer = RoutingTraceFiles.CreateWriter(to, reader.Shape);
        var step = new RoutingStep();
        while (reader.TryRead(step)) writer.Write(step);
        writer.Complete();
    }

    [Test]
    public void WriterWithoutComplete_LeavesNoFile()
    {
        var path = Path.Combine(_dir.Path, "x.moetrace");
        using (var writer = RoutingTraceFiles.CreateWriter(path, Shape(8)))
        {
            var step = new RoutingStep();
            TraceTestFiles.Fill(step, Shape(8), 0, 0, 0, 4, true);
            writer.Write(step);
        }
        Assert.That(Directory.GetFiles(_dir.Path), Is.Empty);
    }

    private string WriteSteps(TraceShape shape, params (int Request, int Iteration, int First, int[] Ids)[] steps)
    {
        var path = Path.Combine(_dir.Path, "bad.moetrace");
        using var writer = RoutingTraceFiles.CreateWriter(path, shape);
        var step = new RoutingStep();
        foreach (var s in steps)
        {
            var tokens = s.Ids.Length / (shape.NumMoeLayers * shape.TopK);
            step.Reset(s.Request, s.Iteration, s.First, tokens, s.Iteration == 0, shape.NumMoeLayers, shape.TopK, false);
            s.Ids.CopyTo(step.ExpertIds);
            writer.Write(step);
        }
        writer.Complete();
        return path;
    }

    private static InputError ErrorOf(string path)
    {
        var ex = Assert.Throws<InputException>(() => TraceTestFiles.ReadAll(path))!;
        Assert.That(ex.Errors[0].File, Is.EqualTo(path));
        // The packed path (trace stats) reports the same error.
        var packed = Assert.Throws<InputException>(() =>
        {
            using var reader = RoutingTraceFiles.OpenReader(path);
            TraceStatisticsRunner.Run(reader, new TraceStatisticsOptions());
        })!;
        Assert.That(packed.Errors[0], Is.EqualTo(ex.Errors[0]));
        return ex.Errors[0];
    }

    private static readonly TraceShape Small = new() { NumMoeLayers = 2, NumExperts = 4, TopK = 2 };

    [Test]
    public void ExpertIdOutOfRange_NamesChunkOffsetAndStep()
    {
        var path = WriteSteps(Small, (0, 0, 0, [0, 1, 2, 3]), (0, 1, 1, [0, 1, 9, 3]));
        var e = ErrorOf(path);
        var firstChunk = new MoeTraceReader(path).Header.Encode().Length;
        Assert.That(e.Field, Is.EqualTo($"chunk at byte {firstChunk}, step 1: experts"));
        Assert.That(e.Problem, Does.Contain("expert id 9 out of range 0..3"));
    }

    [Test]
    public void DuplicateExpert()
    {
        var e = ErrorOf(WriteSteps(Small, (0, 0, 0, [0, 1, 3, 3])));
        Assert.That(e.Field, Does.EndWith("step 0: experts"));
        Assert.That(e.Problem, Does.Contain("expert 3 appears twice in the top-2 of token 0 at layer 1"));
    }

    [Test]
    public void DuplicateExpert_ManyExperts()
    {
        var shape = new TraceShape { NumMoeLayers = 1, NumExperts = 300, TopK = 3 };
        var e = ErrorOf(WriteSteps(shape, (0, 0, 0, [0, 1, 2, 299, 5, 299])));
        Assert.That(e.Problem, Does.Contain("expert 299 appears twice in the top-3 of token 1 at layer 0"));
    }

    [Test]
    public void UnsortedIterations()
    {
        var e = ErrorOf(WriteSteps(Small, (0, 2, 0, [0, 1, 2, 3]), (0, 1, 1, [0, 1, 2, 3])));
        Assert.That(e.Field, Does.EndWith("step 1: iteration"));
    }

    private string Valid() => WriteSteps(Small, (0, 0, 0, [0, 1, 2, 3]), (0, 1, 1, [0, 1, 2, 3]), (1, 0, 0, [1, 2, 3, 0]));

    [Test]
    public void BadCrc()
    {
        var path = Valid();
        var bytes = File.ReadAllBytes(path);
        bytes[^1] ^= 0x01; // last payload byte
        File.WriteAllBytes(path, bytes);
        var e = ErrorOf(path);
        Assert.That(e.Field, Does.Match(@"^chunk at byte \d+: chunk crc32$"));
        Assert.That(e.Problem, Does.Contain("corrupt"));
    }

    [Test]
    public void TruncatedInsidePayload()
    {
        var path = Valid();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^3]);
        var e = ErrorOf(path);
        Assert.That(e.Field, Does.EndWith("chunk payload"));
        Assert.That(e.Problem, Does.StartWith("truncated"));
    }

    [Test]
    public void TruncatedAtChunkBoundary_HeaderCountsDisagree()
    {
        var path = Valid();
        var headerBytes = new MoeTraceReader(path).Header.Encode().Length;
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..headerBytes]);
        var e = ErrorOf(path);
        Assert.That(e.Field, Is.EqualTo($"chunk at byte {headerBytes}: end of file"));
        Assert.That(e.Problem, Does.Contain("truncated: the header lists 1 chunks and 3 steps"));
    }

    [Test]
    public void TruncatedHeader()
    {
        var path = Valid();
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..20]);
        Assert.That(ErrorOf(path).Problem, Does.StartWith("truncated"));
    }

    [Test]
    public void BadMagic()
    {
        var path = Valid();
        var bytes = File.ReadAllBytes(path);
        bytes[0] = (byte)'X';
        File.WriteAllBytes(path, bytes);
        Assert.That(ErrorOf(path).Field, Is.EqualTo("header magic"));
    }

    [Test]
    public void BadChunkMagic()
    {
        var path = Valid();
        var headerBytes = new MoeTraceReader(path).Header.Encode().Length;
        var bytes = File.ReadAllBytes(path);
        bytes[headerBytes] = (byte)'X';
        File.WriteAllBytes(path, bytes);
        Assert.That(ErrorOf(path).Field, Is.EqualTo($"chunk at byte {headerBytes}: chunk magic"));
    }

    [Test]
    public void UnsupportedVersion()
    {
        var path = Valid();
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 7);
        File.WriteAllBytes(path, bytes);
        var e = ErrorOf(path);
        Assert.That(e.Field, Is.EqualTo("header version"));
        Assert.That(e.Problem, Does.Contain("unsupported version 7"));
    }

    [Test]
    public void CorruptHeaderCounts_FailHeaderCrc()
    {
        var path = Valid();
        var bytes = File.ReadAllBytes(path);
        bytes[32] ^= 0x40; // step count
        File.WriteAllBytes(path, bytes);
        Assert.That(ErrorOf(path).Field, Is.EqualTo("header header crc32"));
    }

    [Test]
    public void SeekReturnsToARecordedPosition()
    {
        var path = Valid();
        using var reader = new MoeTraceReader(path);
        var step = new RoutingStep();
        reader.TryRead(step);
        var position = reader.Position;
        reader.TryRead(step);
        var expected = step.ExpertIds.ToArray();
        reader.TryRead(step);
        reader.Seek(position);
        Assert.That(reader.TryRead(step), Is.True);
        Assert.That((step.RequestId, step.Iteration), Is.EqualTo((0, 1)));
        Assert.That(step.ExpertIds.ToArray(), Is.EqualTo(expected));
    }

    [Test]
    public void Seek_AcrossChunksInAnyOrder_ReturnsTheSameSteps()
    {
        var shape = Shape(64);
        var path = Path.Combine(_dir.Path, "multi.moetrace");
        TraceTestFiles.WritePattern(path, shape, 300, 2, 1500); // 5.4 M selections: about 5 chunks
        using var reader = new MoeTraceReader(path);
        var positions = new List<TracePosition>();
        var firstIds = new List<int>();
        var step = new RoutingStep();
        while (true)
        {
            var position = reader.Position;
            if (!reader.TryRead(step)) break;
            positions.Add(position);
            firstIds.Add(step.RequestId * 1000 + step.Iteration);
        }
        Assert.That(reader.ChunksRead, Is.GreaterThan(2));
        var mismatches = 0;
        foreach (var i in new[] { 5, 0, 899, 400, 401, 22, 21, 700, 899, 3 })
        {
            reader.Seek(positions[i]);
            reader.TryRead(step);
            if (step.RequestId * 1000 + step.Iteration != firstIds[i]) mismatches++;
        }
        Assert.That(mismatches, Is.Zero);
    }

    [TestCase("t.txt")]
    [TestCase("t")]
    public void UnknownExtension_IsAnInputError(string name)
    {
        var ex = Assert.Throws<InputException>(() => RoutingTraceFiles.OpenReader(Path.Combine(_dir.Path, name)))!;
        Assert.That(ex.Errors[0].Field, Is.EqualTo("extension"));
        Assert.Throws<InputException>(() => RoutingTraceFiles.CreateWriter(Path.Combine(_dir.Path, "o.csv"), Small));
    }

    [Test]
    public void MissingFile_IsAnInputError()
    {
        var ex = Assert.Throws<InputException>(() => RoutingTraceFiles.OpenReader(Path.Combine(_dir.Path, "none.moetrace")))!;
        Assert.That(ex.Errors[0].Problem, Does.Contain("not found"));
    }
}
