using System.Text.Json;

namespace MoESim.Tests.Cli;

[TestFixture]
[NonParallelizable] // changes the current directory
public class PlanCommandTests
{
    [Test]
    public void Plan_WritesATableReportAndCostCurves_AndNamesTheCheapestOption()
    {
        var dir = CliTestSupport.TempDir();
        var (exit, stdout, stderr) = CliTestSupport.Run("plan", "--hardware", "h100-sxm,h200", "--max-requests", "60", "--load-scale", "4",
            "--max-replicas", "2", "--tpot-slo-ms", "30", "--ttft-slo-ms", "1000", "--out", dir);
        Assert.That(exit, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("objective TPOT p90 <= 30 ms, TTFT p90 <= 1000 ms").And.Contain("cheapest meeting the objective: "));
        var csv = File.ReadAllLines(Path.Combine(dir, "plan.csv"));
        Assert.That(csv[0], Is.EqualTo("candidate,replicas,devices,price_per_hour_usd,tpot_p90_ms,ttft_p90_ms,output_tokens_per_s,usd_per_million_output_tokens,meets_objective,note"));
        Assert.That(csv.Skip(1).Select(l => string.Join(',', l.Split(',').Take(4))),
            Is.EqualTo(new[] { "h100-sxm,1,1,2.99", "h100-sxm,2,2,5.98", "h200,1,1,3.79", "h200,2,2,7.58" }));
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "report.json")));
        var root = report.RootElement;
        Assert.That(root.GetProperty("inputs").GetProperty("load_scale").GetString(), Is.EqualTo("4"));
        Assert.That(root.GetProperty("options").GetArrayLength(), Is.EqualTo(4));
        // The best option is the cheapest of the rows that meet both limits.
        var meeting = root.GetProperty("options").EnumerateArray().Where(o => o.GetProperty("meets_objective").GetBoolean()).ToList();
        var best = root.GetProperty("best");
        Assert.That(meeting, Is.Not.Empty);
        Assert.That(best.GetProperty("price_per_hour_usd").GetDouble(), Is.EqualTo(meeting.Min(o => o.GetProperty("price_per_hour_usd").GetDouble())));
        foreach (var file in new[] { "capacity_tpot.png", "capacity_tpot.svg", "capacity_ttft.png", "capacity_ttft.svg" })
            Assert.That(File.Exists(Path.Combine(dir, file)), file);
    }

    [Test]
    public void Plan_OnASystem_ServesWithExpertParallelism()
    {
        var dir = CliTestSupport.TempDir();
        var (exit, stdout, stderr) = CliTestSupport.Run("plan", "--hardware", "", "--systems", "dgx-h100", "--max-requests", "16",
            "--max-replicas", "1", "--no-plots", "--out", dir);
        Assert.That(exit, Is.EqualTo(0), stderr);
        Assert.That(File.ReadAllLines(Path.Combine(dir, "plan.csv"))[1], Does.StartWith("dgx-h100,1,8,"));
        Assert.That(stdout, Does.Contain("dgx-h100"));
    }

    [TestCase("--slo-percentile", "95", "slo_percentile: must be 50, 90 or 99, got 95", TestName = "BadPercentile")]
    [TestCase("--max-replicas", "0", "max_replicas: must be in 1..1024, got 0", TestName = "BadMaxReplicas")]
    [TestCase("--load-scale", "0", "load_scale: must be a finite number above 0, got 0", TestName = "BadLoadScale")]
    [TestCase("--hardware", "h100-sxm,h100-sxm", "h100-sxm: --hardware/--systems: is listed twice", TestName = "DuplicateCandidate")]
    [TestCase("--hardware", "", "--hardware/--systems: name at least one device or system to plan with", TestName = "NoCandidate")]
    [TestCase("--hardware", "tpu-v9", "--hardware", TestName = "UnknownDevice")]
    public void Bad_plan_options_exit_2_with_a_message(string option, string value, string expected)
    {
        var (exit, _, stderr) = CliTestSupport.Run("plan", "--max-requests", "5", "--no-plots", "--out", CliTestSupport.TempDir(), option, value);
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain(expected));
        Assert.That(stderr, Does.Not.Contain("   at "));
    }
}
