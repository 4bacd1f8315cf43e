using System.Diagnostics;
using MoESim.Tests.Cli;

namespace MoESim.Tests.Hardening;

/// <summary>Runs the CLI on a bad or extreme input and checks the ending issue 12 asks for.</summary>
internal static class HardeningSupport
{
    public static string RepoFile(params string[] parts) => Path.Combine([CliTestSupport.RepositoryRoot, .. parts]);

    public static string WriteTemp(string name, string text)
    {
        var path = Path.Combine(CliTestSupport.TempDir(), name);
        File.WriteAllText(path, text);
        return path;
    }

    public static string WriteTemp(string name, byte[] bytes)
    {
        var path = Path.Combine(CliTestSupport.TempDir(), name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>1-based number of the first line of <paramref name="text"/> that contains <paramref name="fragment"/>.</summary>
    public static int LineOf(string text, string fragment)
    {
        var at = text.IndexOf(fragment, StringComparison.Ordinal);
        Assert.That(at, Is.GreaterThanOrEqualTo(0), fragment);
        return text[..at].Count(c => c == '\n') + 1;
    }

    /// <summary>Runs the CLI and returns its result and wall time.</summary>
    public static (int Exit, string Out, string Err, TimeSpan Took) Run(params string[] args)
    {
        var clock = Stopwatch.StartNew();
        var (exit, output, err) = CliTestSupport.Run(args);
        return (exit, output, err, clock.Elapsed);
    }

    /// <summary>Exit 2, within <paramref name="seconds"/>, no stack trace or internal error, and every fragment on stderr.</summary>
    public static void AssertBadInput((int Exit, string Out, string Err, TimeSpan Took) result, double seconds, params string[] fragments)
    {
        Assert.That(result.Exit, Is.EqualTo(2), result.Err);
        Assert.That(result.Took.TotalSeconds, Is.LessThan(seconds), "ends within a few seconds");
        Assert.That(result.Err, Does.Not.Contain("internal error"));
        Assert.That(result.Err, Does.Not.Contain("   at "), "no stack trace");
        foreach (var fragment in fragments) Assert.That(result.Err, Does.Contain(fragment));
    }
}
