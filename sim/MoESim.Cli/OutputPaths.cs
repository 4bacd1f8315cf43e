using System.CommandLine;
using System.CommandLine.Parsing;

namespace MoESim.Cli;

/// <summary>
/// Checks, as parse validators, that an output folder or file can be written before any work
/// starts: a run that takes minutes must not end in a raw .NET message because <c>--out</c>
/// names a file, a folder under a file, or a place without write permission. The check probes
/// the nearest existing folder with a temporary file that is deleted on close; it creates nothing.
/// </summary>
internal static class OutputPaths
{
    /// <summary>Rejects a folder option whose value cannot be created or written.</summary>
    public static Option<string> WritableFolder(this Option<string> option)
    {
        option.Validators.Add(result => Report(result, option.Name, result.GetValueOrDefault<string>(), FolderProblem));
        return option;
    }

    /// <summary>Rejects a file option (when given; <c>Option&lt;string&gt;</c> or <c>Option&lt;string?&gt;</c>) whose file cannot be written.</summary>
    public static TOption WritableFile<TOption>(this TOption option) where TOption : Option
    {
        option.Validators.Add(result => Report(result, option.Name, result.GetValueOrDefault<string?>(), FileProblem));
        return option;
    }

    /// <summary>Rejects a file argument whose file cannot be written.</summary>
    public static Argument<string> WritableFile(this Argument<string> argument)
    {
        argument.Validators.Add(result => Report(result, argument.Name.ToUpperInvariant(), result.GetValueOrDefault<string>(), FileProblem));
        return argument;
    }

    private static void Report(SymbolResult result, string name, string? path, Func<string, string?> check)
    {
        if (string.IsNullOrEmpty(path)) return;
        if (check(path) is { } problem) result.AddError($"{name}: cannot write {path}: {problem}");
    }

    /// <summary>Why <paramref name="folder"/> cannot be created or written, or null when it can.</summary>
    public static string? FolderProblem(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (File.Exists(full)) return "it is a file, not a folder";
        return ExistingFolderProblem(full);
    }

    /// <summary>Why <paramref name="file"/> cannot be written, or null when it can.</summary>
    public static string? FileProblem(string file)
    {
        var full = Path.GetFullPath(file);
        if (Directory.Exists(full)) return "it is a folder, not a file";
        return ExistingFolderProblem(Path.GetDirectoryName(full) ?? full);
    }

    // Walks up to the nearest folder that exists (a file on the way blocks the path) and probes it.
    private static string? ExistingFolderProblem(string full)
    {
        var existing = full;
        while (!Directory.Exists(existing))
        {
            if (File.Exists(existing)) return $"{existing} is a file, so no folder can be made under it";
            var parent = Path.GetDirectoryName(existing);
            if (parent is null) return "no folder above it exists";
            existing = parent;
        }
        try
        {
            var probe = Path.Combine(existing, $".moesim-write-check-{Environment.ProcessId}-{Guid.NewGuid():N}");
            using var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return $"no permission to write in {existing}";
        }
        catch (IOException ex)
        {
            return $"cannot write in {existing} ({ex.Message})";
        }
    }
}
