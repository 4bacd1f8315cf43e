namespace MoESim.Tests.Hardening;

/// <summary>
/// Issue 12 case 8 (second half): Mixtral's 8 experts on 32 GPUs ran as "EP 32" with 24 GPUs
/// holding no expert, without a word. It is a legal layout (those GPUs still run attention, and a
/// placement with replicas can fill them), so it runs, with a stated warning on stderr.
/// </summary>
[TestFixture]
[NonParallelizable] // the CLI runs in the repository root
public class ExpertParallelDegreeTests
{
    private static (int Exit, string Out, string Err, TimeSpan Took) Simulate(int gpus)
    {
        var text = File.ReadAllText(HardeningSupport.RepoFile("hardware-profiles", "systems", "dgx-h100.yaml"))
            .Replace("../", HardeningSupport.RepoFile("hardware-profiles") + "/")
            .Replace("count: 8 ", $"count: {gpus} ");
        var system = HardeningSupport.WriteTemp("sys.yaml", text);
        return HardeningSupport.Run("simulate", "--system", system, "--model", "mixtral-8x7b", "--poisson-rate", "100", "--poisson-requests", "2",
            "--prompt-tokens", "16", "--output-tokens", "2", "--no-plots", "--out", Cli.CliTestSupport.TempDir());
    }

    [Test]
    public void MoreGpusThanExperts_RunsWithAWarning()
    {
        var (exit, output, err, _) = Simulate(32);
        Assert.That(exit, Is.EqualTo(0), err);
        Assert.That(output, Does.Contain("EP 32"));
        Assert.That(err, Does.Contain("moesim: warning: expert-parallel degree 32 is larger than mixtral-8x7b's 8 experts per layer: 24 of 32 GPUs hold no expert"));
    }

    [Test]
    public void AsManyGpusAsExperts_RunsWithoutOne()
    {
        var (exit, _, err, _) = Simulate(8);
        Assert.That(exit, Is.EqualTo(0), err);
        Assert.That(err, Does.Not.Contain("warning"));
    }
}
