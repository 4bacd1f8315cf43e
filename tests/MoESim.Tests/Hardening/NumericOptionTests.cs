using System.CommandLine;
using MoESim.Cli;

namespace MoESim.Tests.Hardening;

/// <summary>
/// Issue 12 case 7: <c>--poisson-rate NaN</c> was an internal error and <c>--zipf NaN</c> was
/// accepted. Every numeric option rejects NaN, infinities and out-of-range values as a parse
/// error naming it, before any work.
/// </summary>
[TestFixture]
[NonParallelizable] // the CLI runs in the repository root
public class NumericOptionTests
{
    [TestCase("simulate", "--poisson-rate", "NaN", "--poisson-rate: must be a finite number, got NaN")]
    [TestCase("simulate", "--poisson-rate", "-1", "--poisson-rate: must be greater than 0, got -1")]
    [TestCase("simulate", "--zipf", "NaN", "--zipf: must be a finite number, got NaN")]
    [TestCase("simulate", "--zipf", "5", "--zipf: must be in [0, 4], got 5")]
    [TestCase("simulate", "--memory-utilization", "Infinity", "--memory-utilization: must be a finite number, got Infinity")]
    [TestCase("simulate", "--memory-utilization", "1.5", "--memory-utilization: must be in (0, 1], got 1.5")]
    [TestCase("simulate", "--max-batch-tokens", "0", "--max-batch-tokens: must be at least 1, got 0")]
    [TestCase("simulate", "--max-seqs", "-3", "--max-seqs: must be at least 1, got -3")]
    [TestCase("simulate", "--tensor-parallel", "0", "--tensor-parallel: must be at least 1, got 0")]
    [TestCase("plan", "--load-scale", "NaN", "--load-scale: must be a finite number, got NaN")]
    [TestCase("plan", "--tpot-slo-ms", "-Infinity", "--tpot-slo-ms: must be a finite number, got -Infinity")]
    [TestCase("place", "--holdout", "1", "--holdout: must be in [0, 1), got 1")]
    [TestCase("place", "--time-limit", "NaN", "--time-limit: must be a finite number, got NaN")]
    [TestCase("place", "--sim-requests", "-1", "--sim-requests: must be 0 (skip) or more, got -1")]
    [TestCase("trace gen", "--locality", "NaN", "--locality: must be a finite number, got NaN")]
    [TestCase("trace gen", "--decode-zipf", "NaN", "--decode-zipf: must be a finite number, got NaN")]
    [TestCase("trace stats", "--sample-fraction", "0", "--sample-fraction: must be in (0, 1], got 0")]
    [TestCase("roofline", "--context-tokens", "0", "--context-tokens: must be at least 1, got 0")]
    public void BadValue_IsAParseErrorNamingTheOption(string command, string option, string value, string expected)
    {
        var args = command.Split(' ').Concat([option, value]).ToList();
        // Required options of the commands, so the only error is the one under test.
        if (command == "place") args.AddRange(["--trace", "synthetic", "--system", "dgx-h100"]);
        if (command == "trace gen") args.AddRange(["--out", Path.Combine(Cli.CliTestSupport.TempDir(), "t.moetrace")]);
        if (command == "trace stats") args.Add(HardeningSupport.RepoFile("traces", "samples", "tiny.jsonl"));
        var result = HardeningSupport.Run([.. args]);
        HardeningSupport.AssertBadInput(result, 5, "moesim: " + expected);
        Assert.That(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(2), "the one error and the help pointer");
    }

    [Test]
    public void MaxRequestsZero_BlamesTheOption() =>
        HardeningSupport.AssertBadInput(HardeningSupport.Run("simulate", "--max-requests", "0", "--no-plots", "--out", Cli.CliTestSupport.TempDir()), 5,
            "moesim: --max-requests: must be at least 1, got 0");

    [Test]
    public void EveryFloatingPointOption_HasARangeCheck()
    {
        // NaN passes every < and > comparison, so an option without a validator lets it through.
        var unchecked_ = new List<string>();
        void Walk(Command command, string path)
        {
            foreach (var option in command.Options)
                if (option.ValueType == typeof(double) || option.ValueType == typeof(double?) || option.ValueType == typeof(float) || option.ValueType == typeof(float?))
                    if (option.Validators.Count == 0) unchecked_.Add($"{path} {option.Name}");
            foreach (var sub in command.Subcommands) Walk(sub, $"{path} {sub.Name}");
        }
        Walk(CliApp.BuildRoot(), "moesim");
        Assert.That(unchecked_, Is.Empty);
    }
}
