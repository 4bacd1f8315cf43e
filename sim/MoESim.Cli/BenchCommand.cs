using System.CommandLine;
using System.Globalization;
using MoESim.Bench;

namespace MoESim.Cli;

/// <summary><c>moesim bench</c>: run the ILGPU microbenchmarks and write a measured profile.</summary>
internal static class BenchCommand
{
    /// <summary>Where measured profiles go by default, relative to the repository root.</summary>
    public const string MeasuredFolder = "hardware-profiles/measured";

    public static Command Build()
    {
        var accelerator = new Option<string>("--accelerator") { Description = "cpu, cuda or auto (CUDA when an NVIDIA GPU is present)", DefaultValueFactory = _ => "auto" };
        var quick = new Option<bool>("--quick") { Description = "Small shapes and short timing (about 1-2 minutes on the CPU accelerator); same as --size quick" };
        var size = new Option<string>("--size") { Description = "quick, medium (model dimensions / 4) or full (real dimensions)", DefaultValueFactory = _ => "full" };
        var outDir = new Option<string>("--out") { Description = "Folder for <device>-<date>.yaml and .csv", DefaultValueFactory = _ => InputResolver.Shipped(MeasuredFolder) }.WritableFolder();
        var models = new Option<string>("--models") { Description = "Folder of model YAML files whose shapes the grid uses", DefaultValueFactory = _ => InputResolver.Shipped("models") };
        var date = new Option<string>("--date") { Description = "Date for file names and sources, yyyy-mm-dd (default: today, UTC)" };
        var command = new Command("bench", "Measure GEMM, GEMV, streaming, SwiGLU/grouped expert FFN, gather/combine and decode attention kernels with ILGPU, fit per-family time models, write a measured profile")
        {
            accelerator, quick, size, outDir, models, date,
        };
        command.SetAction(parse =>
        {
            var day = parse.GetValue(date) ?? DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (!DateTime.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                throw new Config.InputException("options", "--date", $"expected yyyy-mm-dd, got '{day}'");
            var options = new BenchOptions
            {
                Accelerator = BenchWorkflow.ParseAccelerator(parse.GetValue(accelerator)!),
                Size = parse.GetValue(quick) ? Bench.Suite.SuiteSize.Quick : BenchWorkflow.ParseSize(parse.GetValue(size)!),
                OutputFolder = parse.GetValue(outDir)!,
                ModelsFolder = parse.GetValue(models)!,
                Date = day,
            };
            var (result, path) = ConsoleProgress.Run("benchmarking", progress => BenchWorkflow.Run(options, progress));
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"measured {result.Measurements.Count} cases on {result.DeviceName} ({options.Size.ToString().ToLowerInvariant()} suite); {result.Skipped.Count} skipped over the time or memory cap");
            var wrong = result.Skipped.Where(s => s.Reason.StartsWith("WRONG", StringComparison.Ordinal)).ToList();
            foreach (var s in wrong) parse.InvocationConfiguration.Error.WriteLine($"moesim: {s.Family} {s.Variant} {s.Shape}: {s.Reason}");
            output.WriteLine($"wrote: {DisplayPath.Join([path, Path.ChangeExtension(path, ".csv")])}");
            output.WriteLine($"next: moesim validate --measured {path}");
            return wrong.Count > 0 ? CliApp.ExitInternalError : CliApp.ExitOk;
        });
        return command;
    }
}
