namespace MoESim.Tests.Cli;

[TestFixture]
[NonParallelizable]
public class TraceCommandTests
{
    private string _dir = "";

    [SetUp]
    public void SetUp() => _dir = CliTestSupport.TempDir();

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private const string Tiny = "traces/samples/tiny.jsonl";

    [Test]
    public void Check_TinySample_PrintsShapeCountsAndOk()
    {
        var (exit, stdout, stderr) = CliTestSupport.Run("trace", "check", Tiny);
        Assert.That(exit, Is.Zero, stderr);
        // Counted by hand from the file: requests 0 (3 prompt + 2 decode) and 1 (2 prompt + 1 decode);
        // selections = 8 tokens × 2 layers × top-2.
        Assert.That(stdout, Does.Contain("2 MoE layers x 4 experts, top-2, gate weights yes"));
        Assert.That(stdout, Does.Contain("requests 2, steps 5, prefill tokens 5, decode tokens 3, selections 32, chunks -"));
        Assert.That(stdout.TrimEnd(), Does.EndWith("OK"));
    }

    [Test]
    public void Convert_JsonlToBinaryToJsonl_IsIdentical_AndBinaryChecks()
    {
        var a = Path.Combine(_dir, "a.jsonl");
        var b = Path.Combine(_dir, "b.moetrace");
        var c = Path.Combine(_dir, "c.jsonl");
        Assert.That(CliTestSupport.Run("trace", "convert", Tiny, a).Exit, Is.Zero);
        Assert.That(CliTestSupport.Run("trace", "convert", a, b).Exit, Is.Zero);
        var (exit, stdout, stderr) = CliTestSupport.Run("trace", "convert", b, c);
        Assert.That(exit, Is.Zero, stderr);
        Assert.That(stdout, Does.Contain("5 steps"));
        Assert.That(File.ReadAllText(c), Is.EqualTo(File.ReadAllText(a)));
        var check = CliTestSupport.Run("trace", "check", b);
        Assert.That(check.Out, Does.Contain("selections 32, chunks 1"));
    }

    [Test]
    public void Check_BadFile_PrintsLocatedErrorAndExits2()
    {
        var path = Path.Combine(_dir, "bad.jsonl");
        var lines = File.ReadAllLines(Path.Combine(CliTestSupport.RepositoryRoot, Tiny));
        lines[2] = lines[2].Replace("[[1,3],", "[[1,1],", StringComparison.Ordinal);
        File.WriteAllLines(path, lines);
        var (exit, stdout, stderr) = CliTestSupport.Run("trace", "check", path);
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stdout, Does.Not.Contain("OK"));
        Assert.That(stderr, Does.StartWith($"{path}:3: experts: expert 1 appears twice in the top-2 of token 0 at layer 1"));
        Assert.That(stderr, Does.Not.Contain("   at "));
    }

    [Test]
    public void Check_BadCrc_Exits2()
    {
        var b = Path.Combine(_dir, "b.moetrace");
        Assert.That(CliTestSupport.Run("trace", "convert", Tiny, b).Exit, Is.Zero);
        var bytes = File.ReadAllBytes(b);
        bytes[^5] ^= 0xFF;
        File.WriteAllBytes(b, bytes);
        var (exit, _, stderr) = CliTestSupport.Run("trace", "check", b);
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("chunk crc32"));
    }

    [Test]
    public void Convert_FailedInput_LeavesNoOutput()
    {
        var bad = Path.Combine(_dir, "bad.jsonl");
        File.WriteAllLines(bad, File.ReadAllLines(Path.Combine(CliTestSupport.RepositoryRoot, Tiny))[..4]); // cut mid step
        var output = Path.Combine(_dir, "out.moetrace");
        var (exit, _, stderr) = CliTestSupport.Run("trace", "convert", bad, output);
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("truncated"));
        Assert.That(Directory.GetFiles(_dir), Is.EqualTo(new[] { bad }));
    }

    [Test]
    public void Convert_ToCsv_IsRefused()
    {
        var (exit, _, stderr) = CliTestSupport.Run("trace", "convert", Tiny, Path.Combine(_dir, "o.csv"));
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("extension: CSV is an import format only"));
    }
}
