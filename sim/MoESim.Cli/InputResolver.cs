using MoESim.Config;

namespace MoESim.Cli;

/// <summary>
/// Turns names like <c>mixtral-8x7b</c> or <c>h100-sxm</c> into the shipped YAML files, and
/// finds the repository's default inputs. A value that is an existing file path is used as is.
/// </summary>
internal static class InputResolver
{
    /// <summary>The folder holding models/ and hardware-profiles/: the current folder or an ancestor, else the tool's.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (Directory.Exists(Path.Combine(dir.FullName, "models")) && Directory.Exists(Path.Combine(dir.FullName, "hardware-profiles")))
                    return dir.FullName;
            }
        }
        return Directory.GetCurrentDirectory();
    }

    public static string Model(string nameOrPath) => Resolve(nameOrPath, "models", "--model");

    public static string Hardware(string nameOrPath) => Resolve(nameOrPath, "hardware-profiles", "--hardware");

    /// <summary>A system profile: a path, or a name under hardware-profiles/systems/ (with or without a leading "systems/").</summary>
    public static string System(string nameOrPath) =>
        File.Exists(nameOrPath) ? nameOrPath : Resolve(nameOrPath.StartsWith("systems/", StringComparison.Ordinal) ? nameOrPath["systems/".Length..] : nameOrPath, Path.Combine("hardware-profiles", "systems"), "--system");

    /// <summary>A scenario: a path, or a name under scenarios/ (<c>default</c> or <c>scenarios/default</c>).</summary>
    public static string Scenario(string nameOrPath) =>
        File.Exists(nameOrPath) ? nameOrPath : Resolve(nameOrPath.StartsWith("scenarios/", StringComparison.Ordinal) ? nameOrPath["scenarios/".Length..] : nameOrPath, "scenarios", "--scenario");

    /// <summary>
    /// An existing file named by a path relative to the current folder, else relative to the
    /// repository root (so a scenario's <c>traces/...</c> paths work from any folder of the
    /// checkout); null when neither exists.
    /// </summary>
    public static string? Existing(string path)
    {
        if (File.Exists(path)) return path;
        if (Path.IsPathRooted(path)) return null;
        var candidate = Path.Combine(RepositoryRoot, path);
        return File.Exists(candidate) ? Path.GetRelativePath(Directory.GetCurrentDirectory(), candidate) : null;
    }

    /// <summary>A shipped file under the repository root (for defaults).</summary>
    public static string Shipped(string relativePath) => Path.GetRelativePath(Directory.GetCurrentDirectory(), Path.Combine(RepositoryRoot, relativePath));

    private static string Resolve(string nameOrPath, string folder, string option)
    {
        if (File.Exists(nameOrPath)) return nameOrPath;
        var candidate = Path.Combine(RepositoryRoot, folder, nameOrPath.EndsWith(".yaml", StringComparison.Ordinal) ? nameOrPath : nameOrPath + ".yaml");
        if (File.Exists(candidate)) return Path.GetRelativePath(Directory.GetCurrentDirectory(), candidate);
        var known = Directory.Exists(Path.Combine(RepositoryRoot, folder))
            ? string.Join(", ", Directory.GetFiles(Path.Combine(RepositoryRoot, folder), "*.yaml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal))
            : "(none found)";
        throw new InputException(nameOrPath, option, $"no such file, and no shipped {folder} entry of that name; known: {known}");
    }
}
