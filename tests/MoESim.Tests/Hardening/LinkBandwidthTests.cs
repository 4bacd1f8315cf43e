using MoESim.Engine;
using MoESim.Units;

namespace MoESim.Tests.Hardening;

/// <summary>
/// Issue 12 case 6: a link bandwidth of 1e-9 GB/s ended in "cannot schedule in the past" in
/// FlowNetwork: a flow that slow ends past the clock's range and the sum wrapped negative. The
/// profile loaders reject such bandwidths with a located error, and the network reports the
/// overflow as the simulated-time limit.
/// </summary>
[TestFixture]
[NonParallelizable] // the CLI runs in the repository root
public class LinkBandwidthTests
{
    private sealed class Ignore : IEventTarget
    {
        public void OnEvent(Simulator sim, int kind, long arg0, long arg1) { }
    }

    [Test]
    public void SystemLinkOfOneBytePerSecond_IsLocated()
    {
        var text = File.ReadAllText(HardeningSupport.RepoFile("hardware-profiles", "systems", "dgx-h100.yaml"))
            .Replace("../", HardeningSupport.RepoFile("hardware-profiles") + "/")
            .Replace("bandwidth_gb_per_s: 450", "bandwidth_gb_per_s: 1e-9");
        var path = HardeningSupport.WriteTemp("sys.yaml", text);
        HardeningSupport.AssertBadInput(HardeningSupport.Run("simulate", "--system", path, "--poisson-rate", "1", "--poisson-requests", "5", "--no-plots", "--out", Cli.CliTestSupport.TempDir()), 10,
            $"sys.yaml:{HardeningSupport.LineOf(text, "1e-9")}:25: links[0].bandwidth_gb_per_s: must be at least 0.001, got 1e-9");
    }

    [Test]
    public void HostLinkOfOneBytePerSecond_IsLocated()
    {
        var text = File.ReadAllText(HardeningSupport.RepoFile("hardware-profiles", "h100-sxm.yaml")).Replace("bandwidth_gb_per_s: 63", "bandwidth_gb_per_s: 1e-9");
        var path = HardeningSupport.WriteTemp("gpu.yaml", text);
        HardeningSupport.AssertBadInput(HardeningSupport.Run("roofline", "--hardware", path, "--out", Cli.CliTestSupport.TempDir()), 10,
            $"gpu.yaml:{HardeningSupport.LineOf(text, "1e-9")}:23: host_link.bandwidth_gb_per_s: must be at least 0.001, got 1e-9");
    }

    [Test]
    public void AFlowEndingPastTheClocksRange_IsTheLimitNotASchedulingBug()
    {
        // 1 B/s: the first 5 MB flow ends at 5e6 s; a second one started then would end at 1e7 s.
        var sim = new Simulator();
        var net = new FlowNetwork(sim);
        var link = net.AddLink("slow", 1, 0);
        var target = new Ignore();
        net.StartFlow(5_000_000, [link], target);
        sim.Run();
        Assert.That(sim.Now.Seconds, Is.EqualTo(5e6).Within(1e-6));
        net.StartFlow(5_000_000, [link], target);
        Assert.Throws<SimTimeLimitException>(() => sim.Run());
    }
}
