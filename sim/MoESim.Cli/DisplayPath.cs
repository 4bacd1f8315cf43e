namespace MoESim.Cli;

/// <summary>
/// Paths as the CLI prints them: relative to the working folder when the file lies inside it
/// (short, and the same whichever writer built the path), else absolute.
/// </summary>
internal static class DisplayPath
{
    /// <summary><paramref name="path"/> relative to the working folder if it lies inside it, else absolute.</summary>
    public static string Of(string path)
    {
        var full = Path.GetFullPath(path);
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, full);
        var outside = Path.IsPathRooted(relative) || relative == ".." ||
            relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        return outside ? full : relative;
    }

    /// <summary>The paths as <see cref="Of"/> prints them, comma separated.</summary>
    public static string Join(IEnumerable<string> paths) => string.Join(", ", paths.Select(Of));
}
