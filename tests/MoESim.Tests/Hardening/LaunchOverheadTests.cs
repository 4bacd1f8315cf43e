using MoESim.Engine;
using MoESim.Units;

namespace MoESim.Tests.Hardening;

/// <summary>
/// Issue 12 case 5: <c>kernel_launch_overhead_us: 1e9</c> was an OverflowException in
/// ComputeUnit.Submit. Profile values out of a sane range are located errors, and the engine's
/// overflow is the clear simulated-time-limit error.
/// </summary>
[TestFixture]
[NonParallelizable] // the CLI runs in the repository root
public class LaunchOverheadTests
{
    [TestCase("kernel_launch_overhead_us: 4", "kernel_launch_overhead_us: 1e9", 28, "kernel_launch_overhead_us: must be at most 1000000, got 1e9")]
    [TestCase("latency_us: 2 ", "latency_us: 2e7 ", 15, "host_link.latency_us: must be at most 1000000, got 2e7")]
    [TestCase("bf16_tflops: 989", "bf16_tflops: 1e-12", 18, "units[0].bf16_tflops: must be at least 1E-06, got 1e-12")]
    public void OutOfRangeProfileValue_IsLocated(string from, string to, int column, string problem)
    {
        var text = File.ReadAllText(HardeningSupport.RepoFile("hardware-profiles", "h100-sxm.yaml"));
        Assert.That(text, Does.Contain(from));
        var path = HardeningSupport.WriteTemp("gpu.yaml", text.Replace(from, to));
        var expected = $"gpu.yaml:{HardeningSupport.LineOf(text, from)}:{column}: {problem}";
        HardeningSupport.AssertBadInput(HardeningSupport.Run("simulate", "--hardware", path, "--poisson-rate", "1", "--poisson-requests", "5", "--no-plots", "--out", Cli.CliTestSupport.TempDir()), 10,
            expected);
    }

    [Test]
    public void AJobEndingPastTheClocksRange_IsTheLimitException()
    {
        var sim = new Simulator();
        var unit = new ComputeUnit(sim, "gpu");
        unit.Submit(SimTime.FromSeconds(9e6), onDone: null);
        var ex = Assert.Throws<SimTimeLimitException>(() => unit.Submit(SimTime.FromSeconds(9e6), onDone: null));
        Assert.That(ex!.Message, Does.Contain("past the limit of 9,223,372 s"));
    }
}
