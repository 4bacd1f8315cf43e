using System.Text;

namespace MoESim.Tests.Hardening;

/// <summary>Issue 12 cases 1 and 2: deep nesting and alias bombs in a YAML profile.</summary>
[TestFixture]
[NonParallelizable] // the CLI runs in the repository root
public class YamlLimitsTests
{
    private static string Base => File.ReadAllText(HardeningSupport.RepoFile("hardware-profiles", "h100-sxm.yaml"));

    // The line the appended text starts on.
    private static int ExtraLine => Base.Count(c => c == '\n') + 1;

    private static string Profile(string extra) => HardeningSupport.WriteTemp("gpu.yaml", Base + extra);

    [Test]
    public void DeepNesting_IsALocatedErrorNotAStackOverflow()
    {
        var path = Profile("a: " + new string('[', 30_000) + new string(']', 30_000) + "\n");
        HardeningSupport.AssertBadInput(HardeningSupport.Run("roofline", "--hardware", path, "--out", Cli.CliTestSupport.TempDir()), 5,
            $"gpu.yaml:{ExtraLine}:67:", "nested more than 64 levels deep");
    }

    [Test]
    public void AliasBomb_IsALocatedErrorWithinSeconds()
    {
        var text = new StringBuilder("b0: &b0 [x, x, x, x, x, x, x, x, x]\n");
        for (var level = 1; level <= 12; level++)
            text.Append($"b{level}: &b{level} [{string.Join(", ", Enumerable.Repeat($"*b{level - 1}", 9))}]\n");
        var path = Profile(text.ToString());
        HardeningSupport.AssertBadInput(HardeningSupport.Run("roofline", "--hardware", path, "--out", Cli.CliTestSupport.TempDir()), 5,
            "gpu.yaml:", "aliases expand to more than 100,000 nodes");
    }

    [Test]
    public void SelfReferentialAlias_IsALocatedError()
    {
        var path = Profile("a: &x [1, *x]\n");
        HardeningSupport.AssertBadInput(HardeningSupport.Run("roofline", "--hardware", path, "--out", Cli.CliTestSupport.TempDir()), 5,
            $"gpu.yaml:{ExtraLine}:11:", "alias *x refers to a node that contains it");
    }
}
