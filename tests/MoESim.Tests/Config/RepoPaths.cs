namespace MoESim.Tests.Config;

/// <summary>
/// Finds the repository's shipped files at test time by walking up from the test assembly's
/// folder to the one holding MoESim.sln, so fixtures need no copy-to-output csproj entries.
/// </summary>
internal static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The folder containing MoESim.sln.</summary>
    public static string Root => RootLazy.Value;

    /// <summary>models/ in the repository.</summary>
    public static string Models => Path.Combine(Root, "models");

    /// <summary>hardware-profiles/ in the repository.</summary>
    public static string HardwareProfiles => Path.Combine(Root, "hardware-profiles");

    /// <summary>tests/MoESim.Tests/Fixtures/ in the repository.</summary>
    public static string Fixtures => Path.Combine(Root, "tests", "MoESim.Tests", "Fixtures");

    /// <summary>The Hugging Face config.json fixture of a shipped model name.</summary>
    public static string HfConfig(string modelName) => Path.Combine(Fixtures, "hf", modelName, "config.json");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MoESim.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no MoESim.sln above {TestContext.CurrentContext.TestDirectory}");
    }
}
