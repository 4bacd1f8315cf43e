using MoESim.Tests.Config;
using MoESim.Tests.Traces.Formats;
using MoESim.Traces;
using MoESim.Traces.Replay;

namespace MoESim.Tests.Traces.Replay;

/// <summary>
/// The saved replay index (<c>TRACE.replay-index</c>) is used only while it matches the trace's
/// size, last-write time and header CRC and the summary budget, and only when its own CRC holds;
/// otherwise the trace is indexed again and the file replaced. Saving never fails a run.
/// </summary>
[TestFixture]
public class ReplayIndexFileTests
{
    private static readonly TraceShape Shape = new() { NumMoeLayers = 4, NumExperts = 8, TopK = 2 };
    private static readonly Request[] Requests = [new(0, 0, 30, 10), new(1, 0, 12, 4), new(2, 0, 50, 20)];
    private TempFolder _dir = null!;
    private string _trace = "";

    [SetUp]
    public void SetUp()
    {
        _dir = new TempFolder();
        _trace = Path.Combine(_dir.Path, "t.moetrace");
        TraceTestFiles.WritePattern(_trace, Shape, 3, 8, 20);
    }

    [TearDown]
    public void TearDown() => _dir.Delete();

    private TraceReplayRouter Open(string? trace = null) => IndexSavingRouter.Open(trace ?? _trace, "m", 4, 8, 2, Requests);

    /// <summary>Distinct experts of a few batches (whole prompts, decode tokens), for comparing routers.</summary>
    private static int[] Answers(TraceReplayRouter router)
    {
        var answers = new List<int>();
        var distinct = new int[4];
        foreach (var id in new[] { 0, 1, 2 })
        {
            var batch = new RoutingBatch();
            batch.Add(new SequenceSlice(id, 0, Requests[id].PromptTokens, true));
            batch.Add(new SequenceSlice((id + 1) % 3, Requests[(id + 1) % 3].PromptTokens + 3, 1, false));
            router.RouteDistinct(batch, distinct);
            answers.AddRange(distinct);
        }
        return answers.ToArray();
    }

    private bool OpenedFromFile()
    {
        using var router = Open();
        return router.IndexFromFile;
    }

    [Test]
    public void SecondOpen_LoadsTheSavedIndex_WithTheSameAnswers()
    {
        int[] first;
        using (var router = Open())
        {
            Assert.That(router.IndexFromFile, Is.False);
            first = Answers(router);
        }
        Assert.That(File.Exists(ReplayIndexFile.PathFor(_trace)), Is.True);
        using var again = Open();
        Assert.That(again.IndexFromFile, Is.True);
        Assert.That(Answers(again), Is.EqualTo(first));
    }

    [Test]
    public void RewrittenTrace_IsIndexedAgain_AndAnswersFollowTheNewContent()
    {
        Open().Dispose();
        // More requests and tokens: another size and other routing, same shape.
        TraceTestFiles.WritePattern(_trace, Shape, 4, 9, 21);
        using var router = Open();
        Assert.That(router.IndexFromFile, Is.False);
        using var plain = TraceReplayRouter.Open(_trace, "m", 4, 8, 2, Requests, useIndexFile: false);
        Assert.That(Answers(router), Is.EqualTo(Answers(plain)));
        Assert.That(router.TraceRequests, Is.EqualTo(4));
    }

    [Test]
    public void TouchedTrace_IsIndexedAgain()
    {
        Open().Dispose();
        File.SetLastWriteTimeUtc(_trace, File.GetLastWriteTimeUtc(_trace).AddSeconds(1));
        Assert.That(OpenedFromFile(), Is.False);
        Assert.That(OpenedFromFile(), Is.True, "the fresh index was saved");
    }

    [TestCase(10)]     // a byte of the format version
    [TestCase(-100)]   // a byte of the summary
    [TestCase(-1)]     // the file's own CRC
    public void CorruptIndexFile_IsIgnoredAndReplaced(int at)
    {
        Open().Dispose();
        var index = ReplayIndexFile.PathFor(_trace);
        var bytes = File.ReadAllBytes(index);
        bytes[at >= 0 ? at : bytes.Length + at] ^= 0x40;
        File.WriteAllBytes(index, bytes);
        Assert.That(OpenedFromFile(), Is.False);
        Assert.That(OpenedFromFile(), Is.True);
    }

    [Test]
    public void TruncatedIndexFile_IsIgnored()
    {
        Open().Dispose();
        var index = ReplayIndexFile.PathFor(_trace);
        File.WriteAllBytes(index, File.ReadAllBytes(index)[..^20]);
        Assert.That(OpenedFromFile(), Is.False);
    }

    [Test]
    public void OtherSummaryBudget_DoesNotReuseTheFile()
    {
        Open().Dispose();
        using var router = TraceReplayRouter.Open(_trace, "m", 4, 8, 2, Requests, TraceReplayRouter.DefaultCacheSelections, true, summaryBudgetBytes: 1);
        Assert.That(router.IndexFromFile, Is.False);
    }

    [Test]
    public void IndexFileThatCannotBeWritten_DoesNotFailTheRun()
    {
        Directory.CreateDirectory(ReplayIndexFile.PathFor(_trace)); // a folder where the file would go
        using var router = Open();
        Assert.That(Answers(router), Has.Length.EqualTo(12));
    }

    [Test]
    public void TraceBelowTheSaveThreshold_GetsNoIndexFile_ButLoadsOneThatExists()
    {
        Assert.That(new FileInfo(_trace).Length, Is.LessThan(TraceReplayRouter.IndexFileMinTraceBytes));
        int[] scanned;
        using (var plain = TraceReplayRouter.Open(_trace, "m", 4, 8, 2, Requests))
        {
            Assert.That(plain.IndexFromFile, Is.False);
            scanned = Answers(plain);
        }
        Assert.That(File.Exists(ReplayIndexFile.PathFor(_trace)), Is.False, "no index file for a small trace");

        Open().Dispose(); // saves one, as for a trace over the threshold
        using var loaded = TraceReplayRouter.Open(_trace, "m", 4, 8, 2, Requests);
        Assert.That(loaded.IndexFromFile, Is.True);
        Assert.That(Answers(loaded), Is.EqualTo(scanned));
    }

    [Test]
    public void StaleIndexFileBesideASmallTrace_IsDeleted()
    {
        Open().Dispose(); // saved, as for a big trace
        File.SetLastWriteTimeUtc(_trace, File.GetLastWriteTimeUtc(_trace).AddSeconds(1));
        using (var router = TraceReplayRouter.Open(_trace, "m", 4, 8, 2, Requests))
            Assert.That(router.IndexFromFile, Is.False);
        Assert.That(File.Exists(ReplayIndexFile.PathFor(_trace)), Is.False, "not left to be read and rejected on every run");
    }

    [Test]
    public void TraceAtTheSaveThreshold_GetsAnIndexFile()
    {
        var size = new FileInfo(_trace).Length;
        using (TraceReplayRouter.Open(_trace, "m", 4, 8, 2, Requests, TraceReplayRouter.DefaultCacheSelections, true,
            TraceReplayRouter.SummaryBudgetBytes, indexFileMinTraceBytes: size + 1)) { }
        Assert.That(File.Exists(ReplayIndexFile.PathFor(_trace)), Is.False, "one byte under the threshold");
        using (TraceReplayRouter.Open(_trace, "m", 4, 8, 2, Requests, TraceReplayRouter.DefaultCacheSelections, true,
            TraceReplayRouter.SummaryBudgetBytes, indexFileMinTraceBytes: size)) { }
        Assert.That(File.Exists(ReplayIndexFile.PathFor(_trace)), Is.True, "at the threshold");
    }

    [Test]
    public void UseIndexFileFalse_NeitherReadsNorWrites()
    {
        using (TraceReplayRouter.Open(_trace, "m", 4, 8, 2, Requests, useIndexFile: false)) { }
        Assert.That(File.Exists(ReplayIndexFile.PathFor(_trace)), Is.False);
    }

    [Test]
    public void KnownLimit_InPlaceEditKeepingSizeAndTime_IsNotNoticed()
    {
        // The documented trade-off of the key: bytes changed in place with the size and the
        // modification time put back are not detected (delete the index file after such edits).
        Open().Dispose();
        var written = File.GetLastWriteTimeUtc(_trace);
        var bytes = File.ReadAllBytes(_trace);
        bytes[^1] ^= 0x01; // breaks the last chunk's CRC
        File.WriteAllBytes(_trace, bytes);
        File.SetLastWriteTimeUtc(_trace, written);
        Assert.That(OpenedFromFile(), Is.True);
        File.Delete(ReplayIndexFile.PathFor(_trace));
        Assert.Throws<MoESim.Config.InputException>(() => Open());
    }
}
