using System.Globalization;
using MoESim.Parallelism;
using MoESim.Tests.Cli;

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
            "--replicas", "8", "--synthetic-requests", "32", "--time-limit", "2", "--strategy", "greedy", "--out", dir, "--no-plots");
        Assert.That(exit, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("| round-robin | held-out |"));
        var placement = ExpertPlacementYamlReader.Load(Path.Combine(dir, "placement.yaml"), new ExpertPlacementLimits { NumDevices = 8, NumMoeLayers = 32, NumExperts = 8 });
        Assert.That(placement.Strategy, Is.EqualTo("greedy"));
        var lines = File.ReadAllLines(Path.Combine(dir, "comparison.csv"));
        Assert.That(lines, Has.Length.EqualTo(7));
        double MaxLoad(string strategy) => double.Parse(lines.Single(l => l.StartsWith($"{strategy},held-out,", StringComparison.Ordinal)).Split(',')[2], CultureInfo.InvariantCulture);
        double MoeTime(string strategy) => double.Parse(lines.Single(l => l.StartsWith($"{strategy},held-out,", StringComparison.Ordinal)).Split(',')[6], CultureInfo.InvariantCulture);
        foreach (var better in new[] { "greedy", "ilp" })
        {
            Assert.That(MaxLoad(better), Is.LessThan(MaxLoad("round-robin")), better);
            Assert.That(MoeTime(better), Is.LessThan(MoeTime("round-robin")), better);
        }
        Directory.Delete(dir, recursive: true);
    }

    [TestCase("--strategy", "random", "--strategy: unknown strategy")]
    [TestCase("--trace", "no-such-trace.jsonl", "no-such-trace.jsonl: --trace: file not found")]
    [TestCase("--system", "no-such-system", "--system: no such file")]
    [TestCase("--replicas", "4000", "--replicas: 501 expert copies per layer per device need")]
    [TestCase("--holdout", "1", "--holdout: must be in [0, 1)")]
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
