namespace MoESim.Tests.Hardening;

/// <summary>
/// Issue 12 case 10: an unwritable <c>--out</c> was found only after the whole simulation ran,
/// with a raw .NET message. It is now a parse error naming <c>--out</c>, before any work.
/// </summary>
[TestFixture]
[NonParallelizable] // the CLI runs in the repository root
public class OutputFolderTests
{
    [Test]
    public void OutUnderAFile_IsRejectedBeforeTheSimulation()
    {
        var file = HardeningSupport.WriteTemp("not-a-folder", "x");
        var folder = Path.Combine(file, "run");
        // The default 1,000-request trace takes seconds to simulate; the error must come first.
        HardeningSupport.AssertBadInput(HardeningSupport.Run("simulate", "--no-plots", "--out", folder), 3,
            $"moesim: --out: cannot write {folder}: {file} is a file, so no folder can be made under it");
    }

    [Test]
    public void OutThatIsAFile_IsRejected()
    {
        var file = HardeningSupport.WriteTemp("report", "x");
        HardeningSupport.AssertBadInput(HardeningSupport.Run("roofline", "--out", file), 3, $"moesim: --out: cannot write {file}: it is a file, not a folder");
    }

    [Test]
    public void TraceFileUnderAFile_IsRejected()
    {
        var file = HardeningSupport.WriteTemp("not-a-folder", "x");
        var target = Path.Combine(file, "t.moetrace");
        HardeningSupport.AssertBadInput(HardeningSupport.Run("trace", "gen", "--model", "olmoe-1b-7b", "--out", target), 3,
            $"moesim: --out: cannot write {target}: {file} is a file");
    }

    [Test]
    public void AFolderThatDoesNotExistYet_IsFine()
    {
        var folder = Path.Combine(Cli.CliTestSupport.TempDir(), "a", "b");
        var (exit, _, err, _) = HardeningSupport.Run("simulate", "--poisson-rate", "10", "--poisson-requests", "2", "--prompt-tokens", "16", "--output-tokens", "2", "--no-plots", "--out", folder);
        Assert.That(exit, Is.EqualTo(0), err);
        Assert.That(File.Exists(Path.Combine(folder, "report.json")));
    }
}
