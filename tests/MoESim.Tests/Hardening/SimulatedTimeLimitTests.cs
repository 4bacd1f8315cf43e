using MoESim.Engine;
using MoESim.Units;

namespace MoESim.Tests.Hardening;

/// <summary>
/// Issue 12 case 4: simulated time past ~106 days (picoseconds in 64 bits). An input that puts
/// time past the limit is a located error naming it; legal inputs that add up past it end with a
/// clear message and exit 2; never "time must be finite and non-negative".
/// </summary>
[TestFixture]
[NonParallelizable] // the CLI runs in the repository root
public class SimulatedTimeLimitTests
{
    private const string Limit = "9,223,372 s (106.8 days; simulated time counts whole picoseconds in 64 bits)";

    private static void AssertLimitError((int Exit, string Out, string Err, TimeSpan Took) result, params string[] fragments)
    {
        HardeningSupport.AssertBadInput(result, 10, fragments);
        Assert.That(result.Err, Does.Not.Contain("finite and non-negative"));
    }

    [Test]
    public void AnArrivalPastTheLimit_IsItsRow()
    {
        var path = HardeningSupport.WriteTemp("reqs.csv", "arrival_s,prompt_tokens,output_tokens\n0.0,100,10\n1e7,100,10\n");
        AssertLimitError(HardeningSupport.Run("simulate", "--requests", path, "--no-plots", "--out", Cli.CliTestSupport.TempDir()),
            "reqs.csv:3: arrival_s: arrival at 1E+07 s is past the latest simulated time, " + Limit);
    }

    [Test]
    public void APoissonRateSoLowTheArrivalsPassTheLimit_IsTheOption() =>
        AssertLimitError(HardeningSupport.Run("simulate", "--poisson-rate", "1e-7", "--no-plots", "--out", Cli.CliTestSupport.TempDir()),
            "--poisson-rate: 200 requests at 1E-07 requests/s arrive over about 1.99E+09 s, past the latest simulated time, " + Limit);

    [Test]
    public void AScenarioPoissonRateSoLowTheArrivalsPassTheLimit_IsItsKey()
    {
        var text = File.ReadAllText(HardeningSupport.RepoFile("scenarios", "poisson-zipf.yaml")).Replace("rate_per_s: 4", "rate_per_s: 1e-7");
        var path = HardeningSupport.WriteTemp("scenario.yaml", text);
        AssertLimitError(HardeningSupport.Run("simulate", "--scenario", path, "--no-plots", "--out", Cli.CliTestSupport.TempDir()),
            $"scenario.yaml:{HardeningSupport.LineOf(text, "1e-7")}:17: workload.poisson.rate_per_s: 500 requests at 1E-07 requests/s arrive over about 4.99E+09 s, past the latest simulated time, " + Limit);
    }

    [Test]
    public void AnEfficiencyOfOneBillionth_IsItsKey()
    {
        var text = File.ReadAllText(HardeningSupport.RepoFile("hardware-profiles", "h100-sxm.yaml")).Replace("compute: 0.70", "compute: 1e-9");
        var path = HardeningSupport.WriteTemp("gpu.yaml", text);
        AssertLimitError(HardeningSupport.Run("simulate", "--hardware", path, "--poisson-rate", "1", "--poisson-requests", "50", "--no-plots", "--out", Cli.CliTestSupport.TempDir()),
            $"gpu.yaml:{HardeningSupport.LineOf(text, "1e-9")}:12: efficiency.compute: must be at least 0.001, got 1e-9");
    }

    [Test]
    public void LegalInputsThatAddUpPastTheLimit_EndWithAClearMessage()
    {
        // A request arriving 1.6 h before the limit, on a GPU whose every kernel launch takes the
        // largest accepted 1 s: its 1,000 decode steps need far longer than that.
        var gpu = File.ReadAllText(HardeningSupport.RepoFile("hardware-profiles", "h100-sxm.yaml")).Replace("kernel_launch_overhead_us: 4", "kernel_launch_overhead_us: 1e6");
        var hardware = HardeningSupport.WriteTemp("gpu.yaml", gpu);
        var requests = HardeningSupport.WriteTemp("reqs.csv", "arrival_s,prompt_tokens,output_tokens\n9.2e6,16,1000\n");
        AssertLimitError(HardeningSupport.Run("simulate", "--hardware", hardware, "--requests", requests, "--no-plots", "--out", Cli.CliTestSupport.TempDir()),
            "moesim: simulated time would reach", "past the limit of " + Limit);
    }

    [Test]
    public void SimTime_OutOfRange_IsTheLimitException()
    {
        Assert.Throws<SimTimeLimitException>(() => SimTime.FromSeconds(1e7));
        Assert.Throws<SimTimeLimitException>(() => _ = SimTime.FromSeconds(9e6) + SimTime.FromSeconds(9e6));
        Assert.That(SimTime.FromSeconds(9.2e6).Seconds, Is.EqualTo(9.2e6));
        Assert.That(SimTime.MaxSeconds, Is.EqualTo(long.MaxValue / 1e12));
    }
}
