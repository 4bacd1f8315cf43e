using MoESim.Tests.Cli;

namespace MoESim.Tests.Fuzz;

/// <summary>
/// Crashes the fuzz suite found (seeds 7 and 8, 4,000–6,000 mutants per format), kept as plain
/// tests: a profile number of 1e308 overflowed to infinity after unit conversion.
/// </summary>
[TestFixture]
[NonParallelizable] // the CLI runs in the repository root
public class FuzzFindingsTests
{
    private static string Repo(params string[] parts) => Path.Combine([CliTestSupport.RepositoryRoot, .. parts]);

    private static void AssertLocatedError(string text, string fileName, string[] args, string fragment)
    {
        var dir = CliTestSupport.TempDir();
        var path = Path.Combine(dir, fileName);
        File.WriteAllText(path, text);
        var (exit, _, err) = CliTestSupport.Run([.. args.Select(a => a == "FILE" ? path : a), "--no-plots", "--out", Path.Combine(dir, "out")]);
        Assert.That(exit, Is.EqualTo(2), err);
        Assert.That(err, Does.Not.Contain("internal error"));
        Assert.That(err, Does.Contain(fragment));
    }

    [Test]
    public void HugeMemoryCapacity_IsALocatedError()
    {
        // Was: internal error: ArgumentException (infinity cannot be written as JSON) from the report writer.
        var text = File.ReadAllText(Repo("hardware-profiles", "h100-sxm.yaml")).Replace("capacity_gib: 79.6", "capacity_gib: 1e308");
        AssertLocatedError(text, "gpu.yaml", ["simulate", "--hardware", "FILE", "--max-requests", "3"], "capacity_gib: must be at most 1000000, got 1e308");
    }

    [Test]
    public void HugeLinkBandwidth_IsALocatedError()
    {
        // Was: internal error: ArgumentOutOfRangeException: bandwidth must be positive and finite.
        var text = File.ReadAllText(Repo("hardware-profiles", "systems", "dgx-h100.yaml"))
            .Replace("../h100-sxm.yaml", Repo("hardware-profiles", "h100-sxm.yaml"))
            .Replace("../intel-xeon-8480c.yaml", Repo("hardware-profiles", "intel-xeon-8480c.yaml"))
            .Replace("bandwidth_gb_per_s: 450", "bandwidth_gb_per_s: 1e308");
        AssertLocatedError(text, "system.yaml", ["simulate", "--system", "FILE", "--max-requests", "2"], "bandwidth_gb_per_s: must be at most 1000000000, got 1e308");
    }
}
