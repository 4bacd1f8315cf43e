using System.Globalization;
using MoESim.Parallelism;
using MoESim.Tests.Cli;
using MoESim.Traces;
using MoESim.Traces.Formats;

namespace MoESim.Placement.Tests;

[TestFixture]
[NonParallelizable]
public class PlaceCommandTests
{
    [Test]
    public void SkewedSyntheticTrace_WritesPlacementAndTable_GreedyAndIlpBeatRoundRobin()
    {
        var dir = CliTestSupport.TempDir();
        var (exit, stdout, stderr) = CliTestSupport.Run("place", "--trace", "synthetic", "--system", "dgx-h100", "--model", "mixtral-8x7b",
            "--replicas", "8", "--synthetic-requests", "32", "--time-limit", "2", "--strategy", "greedy", "--sim-requests", "16", "--out", dir, "--no-plots");
        Assert.That(exit, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("| round-robin | held-out |"));
        var placement = ExpertPlacementYamlReader.Load(Path.Combine(dir, "placement.yaml"), new ExpertPlacementLimits { NumDevices = 8, NumMoeLayers = 32, NumExperts = 8 });
        Assert.That(placement.Strategy, Is.EqualTo("greedy"));
        var lines = File.ReadAllLines(Path.Combine(dir, "comparison.csv"));
        Assert.That(lines, Has.Length.EqualTo(7));
        double MaxLoad(string strategy) => double.Parse(lines.Single(l => l.StartsWith($"{strategy},held-out,", StringComparison.Ordinal)).Split(',')[2], CultureInfo.InvariantCulture);
        double MoeTime(string strategy) => double.Parse(lines.Single(l => l.StartsWith($"{strategy},held-out,", StringComparison.Ordinal)).Split(',')[6], CultureInfo.InvariantCulture);
        double Simulated(string strategy) => double.Parse(lines.Single(l => l.StartsWith($"{strategy},held-out,", StringComparison.Ordinal)).Split(',')[8], CultureInfo.InvariantCulture);
        Assert.That(lines[0].Split(',')[8], Is.EqualTo("sim_tokens_per_s"));
        Assert.That(lines.Single(l => l.StartsWith("greedy,fit,", StringComparison.Ordinal)).Split(',')[8], Is.Empty, "simulated on held-out routing only");
        foreach (var better in new[] { "greedy", "ilp" })
        {
            Assert.That(MaxLoad(better), Is.LessThan(MaxLoad("round-robin")), better);
            Assert.That(MoeTime(better), Is.LessThan(MoeTime("round-robin")), better);
            // End to end (attention and scheduling included), the balanced placements still serve faster.
            Assert.That(Simulated(better), Is.GreaterThan(Simulated("round-robin") * 1.05), better);
        }
        // The written placement runs in expert-parallel serving, and report.json names it.
        var simDir = Path.Combine(dir, "simulate");
        var (simExit, _, simErr) = CliTestSupport.Run("simulate", "--system", "dgx-h100", "--model", "mixtral-8x7b", "--placement", Path.Combine(dir, "placement.yaml"),
            "--poisson-rate", "100", "--poisson-requests", "4", "--prompt-tokens", "64", "--output-tokens", "4", "--zipf", "1.2", "--no-plots", "--out", simDir);
        Assert.That(simExit, Is.EqualTo(0), simErr);
        var report = File.ReadAllText(Path.Combine(simDir, "report.json"));
        Assert.That(report, Does.Contain("\"placement\": \"greedy\"").And.Contain("placement_file"));
        // Per-layer gaps of the ILP: bound ≤ incumbent, and the layers add up to the table's fit time.
        var layers = File.ReadAllLines(Path.Combine(dir, "ilp-layer-gaps.csv")).Skip(1).Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        Assert.That(layers, Has.Length.EqualTo(32));
        Assert.That(layers.Select(r => r[2] <= r[1] && r[3] is >= 0 and <= 100), Is.All.True);
        var fitTime = double.Parse(lines.Single(l => l.StartsWith("ilp,fit,", StringComparison.Ordinal)).Split(',')[6], CultureInfo.InvariantCulture);
        Assert.That(layers.Sum(r => r[1]), Is.EqualTo(fitTime).Within(0.01).Percent);
        Directory.Delete(dir, recursive: true);
    }

    [Test]
    public void TraceFile_IsReadAndPlaced()
    {
        // A JSONL trace with Mixtral's shape (32 MoE layers x 8 experts, top-2), written by the trace writer.
        var dir = CliTestSupport.TempDir();
        var trace = Path.Combine(dir, "mixtral.jsonl");
        var config = new SyntheticRouterConfig { NumMoeLayers = 32, NumExperts = 8, TopK = 2, ZipfExponent = 1.2, Seed = 5 };
        using (var writer = RoutingTraceFiles.CreateWriter(trace, SyntheticTrace.ShapeOf(config)))
        {
            foreach (var step in SyntheticTrace.Generate(config, requests: 16, stepsPerRequest: 2, tokensPerStep: 4)) writer.Write(step);
            writer.Complete();
        }
        var (exit, stdout, stderr) = CliTestSupport.Run("place", "--trace", trace, "--system", "dgx-h100", "--model", "mixtral-8x7b",
            "--time-limit", "2", "--out", Path.Combine(dir, "out"), "--no-plots");
        Assert.That(exit, Is.EqualTo(0), stderr);
        // 16 requests x 2 steps x 4 tokens, a quarter of the requests held out.
        Assert.That(stdout, Does.Contain("96 fit / 32 held-out tokens"));
        Assert.That(File.Exists(Path.Combine(dir, "out", "placement.yaml")));
        Directory.Delete(dir, recursive: true);
    }

    [Test]
    public void TraceWhoseShapeDiffersFromTheModel_ExitsWithCode2()
    {
        // traces/samples/tiny.jsonl: 2 MoE layers x 4 experts, top-2; Mixtral has 32 x 8, top-2.
        var (exit, _, stderr) = CliTestSupport.Run("place", "--trace", Path.Combine("traces", "samples", "tiny.jsonl"), "--system", "dgx-h100",
            "--model", "mixtral-8x7b", "--out", CliTestSupport.TempDir(), "--no-plots");
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("tiny.jsonl:").And.Contain("shape: the trace was recorded for 2 MoE layers x 4 experts, top-2 but the model has 32 MoE layers x 8 experts, top-2"));
        Assert.That(stderr, Does.Not.Contain("   at "));
    }

    [TestCase("--strategy", "random", "--strategy: unknown strategy")]
    [TestCase("--trace", "no-such-trace.jsonl", "no-such-trace.jsonl: --trace: file not found")]
    [TestCase("--system", "no-such-system", "--system: no such file")]
    [TestCase("--replicas", "4000", "--replicas: 501 expert copies per layer per device need")]
    [TestCase("--holdout", "1", "--holdout: must be in [0, 1)")]
    [TestCase("--sim-requests", "-1", "--sim-requests: must be 0 (skip) or more")]
    [TestCase("--trace", "README.md", "README.md: extension: unknown trace format \".md\"")]
    public void BadInput_ExitsWithCode2AndAClearMessage(string option, string value, string expected)
    {
        var args = new Dictionary<string, string> { ["--trace"] = "synthetic", ["--system"] = "dgx-h100", ["--synthetic-requests"] = "4", ["--time-limit"] = "1", ["--model"] = "mixtral-8x7b" };
        args[option] = value;
        var (exit, _, stderr) = CliTestSupport.Run(new[] { "place", "--no-plots", "--out", CliTestSupport.TempDir() }.Concat(args.SelectMany(kv => new[] { kv.Key, kv.Value })).ToArray());
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain(expected));
        Assert.That(stderr, Does.Not.Contain("   at "));
    }
}
