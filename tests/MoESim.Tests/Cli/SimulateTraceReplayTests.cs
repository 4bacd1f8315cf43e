using MoESim.Tests.Traces.Formats;
using MoESim.Traces;

namespace MoESim.Tests.Cli;

[TestFixture]
[NonParallelizable]
public class SimulateTraceReplayTests
{
    [Test]
    public void ShapeMismatch_Exits2_NamingTraceAndBothShapes()
    {
        var (exit, _, stderr) = CliTestSupport.Run("simulate", "--max-requests", "5", "--trace", "traces/samples/tiny.jsonl", "--out", CliTestSupport.TempDir(), "--no-plots");
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr.Trim(), Is.EqualTo("traces/samples/tiny.jsonl: shape: the trace is 2 MoE layers x 4 experts, top-2 (recorded for tiny-moe); model mixtral-8x7b-fp8 is 32 MoE layers x 8 experts, top-2"));
    }

    [Test]
    public void TraceReplay_IsDeterministic_AndEchoedInTheReport()
    {
        var dir = CliTestSupport.TempDir();
        var trace = Path.Combine(dir, "mixtral.moetrace");
        TraceTestFiles.WritePattern(trace, new TraceShape { NumMoeLayers = 32, NumExperts = 8, TopK = 2, ModelName = "mixtral-8x7b" }, 7, 20, 300);
        var a = Path.Combine(dir, "a");
        var b = Path.Combine(dir, "b");
        var run = CliTestSupport.Run("simulate", "--max-requests", "30", "--trace", trace, "--out", a, "--no-plots");
        Assert.That(run.Exit, Is.Zero, run.Err);
        Assert.That(CliTestSupport.Run("simulate", "--max-requests", "30", "--trace", trace, "--out", b, "--no-plots").Exit, Is.Zero);
        Assert.That(File.ReadAllText(Path.Combine(b, "requests.csv")), Is.EqualTo(File.ReadAllText(Path.Combine(a, "requests.csv"))));
        Assert.That(File.ReadAllText(Path.Combine(b, "timeseries.csv")), Is.EqualTo(File.ReadAllText(Path.Combine(a, "timeseries.csv"))));
        var report = File.ReadAllText(Path.Combine(a, "report.json"));
        Assert.That(report, Does.Contain("trace replay of mixtral.moetrace (7 trace requests, 32 MoE layers x 8 experts, top-2)"));
        Assert.That(report, Does.Contain("mixtral.moetrace"));
    }

    [Test]
    public void ZipfWithTrace_IsRefused()
    {
        var (exit, _, stderr) = CliTestSupport.Run("simulate", "--trace", "traces/samples/tiny.jsonl", "--zipf", "1.2", "--out", CliTestSupport.TempDir());
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("--zipf"));
    }
}
