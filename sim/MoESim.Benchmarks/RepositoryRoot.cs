namespace MoESim.Benchmarks;

/// <summary>Finds the repository (the folder holding MoESim.sln) from the working or binary folder.</summary>
internal static class RepositoryRoot
{
    public static string Find()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "MoESim.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("MoESim.sln not found above the working directory");
    }
}
