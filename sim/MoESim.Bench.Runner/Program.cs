using System.Globalization;
using MoESim.Bench;
using MoESim.Bench.Suite;
using MoESim.Config;

// moesim-bench: runs the ILGPU suite and writes the measured profile, nothing else (no plots),
// so it can be published self-contained and carried to a GPU machine.
// Usage: moesim-bench [--accelerator cpu|cuda|auto] [--quick | --size quick|medium|full] [--out DIR] [--models DIR] [--date yyyy-mm-dd]
try
{
    var options = RunnerArguments.Parse(args);
    Console.Error.WriteLine($"moesim-bench: {options.Size.ToString().ToLowerInvariant()} suite on {options.Accelerator.ToString().ToLowerInvariant()}, models from {options.ModelsFolder}");
    var lastTenth = -1;
    var progress = new SynchronousProgress(p =>
    {
        var tenth = (int)(p * 10);
        if (tenth == lastTenth) return;
        lastTenth = tenth;
        Console.Error.WriteLine($"  {tenth * 10,3}%");
    });
    var (result, path) = BenchWorkflow.Run(options, progress);
    Console.WriteLine($"measured {result.Measurements.Count} cases on {result.DeviceName} ({result.Skipped.Count} skipped)");
    foreach (var s in result.Skipped.Where(s => s.Reason.StartsWith("WRONG", StringComparison.Ordinal)))
        Console.WriteLine($"  {s.Family} {s.Shape}: {s.Reason}");
    Console.WriteLine($"wrote: {path} and {Path.ChangeExtension(path, ".csv")}");
    return result.Skipped.Any(s => s.Reason.StartsWith("WRONG", StringComparison.Ordinal)) ? 1 : 0;
}
catch (InputException ex)
{
    foreach (var e in ex.Errors) Console.Error.WriteLine(e.ToString());
    return 2;
}

/// <summary>Command-line arguments of the runner.</summary>
internal static class RunnerArguments
{
    public static BenchOptions Parse(string[] args)
    {
        string accelerator = "auto", size = "full", models = FindModels(), date = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        string? output = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new InputException("arguments", args[i], "needs a value");
            switch (args[i])
            {
                case "--accelerator": accelerator = Value(); break;
                case "--quick": size = "quick"; break;
                case "--size": size = Value(); break;
                case "--out": output = Value(); break;
                case "--models": models = Value(); break;
                case "--date": date = Value(); break;
                default: throw new InputException("arguments", args[i], "unknown option (expected --accelerator, --quick, --size, --out, --models, --date)");
            }
        }
        if (!DateTime.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            throw new InputException("arguments", "--date", $"expected yyyy-mm-dd, got '{date}'");
        return new BenchOptions
        {
            Accelerator = BenchWorkflow.ParseAccelerator(accelerator),
            Size = BenchWorkflow.ParseSize(size),
            ModelsFolder = models,
            OutputFolder = output ?? "measured",
            Date = date,
        };
    }

    /// <summary>models/ beside the executable (the published layout) or in the current folder or an ancestor.</summary>
    private static string FindModels()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "models");
        if (Directory.Exists(beside)) return beside;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "models"))) return Path.Combine(dir.FullName, "models");
        return "models";
    }
}

/// <summary>Reports progress on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
internal sealed class SynchronousProgress(Action<double> report) : IProgress<double>
{
    public void Report(double value) => report(value);
}
