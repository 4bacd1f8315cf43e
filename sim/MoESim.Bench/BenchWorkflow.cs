using MoESim.Bench.Calibration;
using MoESim.Bench.Kernels;
using MoESim.Bench.Profile;
using MoESim.Bench.Suite;
using MoESim.Config;
using MoESim.Models;

namespace MoESim.Bench;

/// <summary>bench end to end: open the accelerator, plan, run, fit, write the measured profile and CSV.</summary>
public static class BenchWorkflow
{
    /// <summary>Runs the suite; returns the result and the written profile's path.</summary>
    public static (SuiteResult Result, string ProfilePath) Run(BenchOptions options, IProgress<double>? progress = null)
    {
        var models = LoadModels(options.ModelsFolder);
        using var accelerator = BenchAccelerator.Create(options.Accelerator);
        var kernels = new KernelSet(accelerator);
        var settings = SuiteSettings.For(options.Size);
        var plan = SuitePlan.Build(models, settings, tiledGemm: accelerator.IsCuda, streamThreads: kernels.Stream.Threads);
        var result = BenchSuite.Run(kernels, plan, settings, options.Date, progress);
        var peaks = ProbedPeaks.From(result.Measurements);
        var calibration = Calibrator.Calibrate(result.Measurements, peaks, result.LaunchOverheadSeconds,
            $"moesim bench ({settings.Size.ToString().ToLowerInvariant()}) on {result.DeviceName} {result.Date}");
        Directory.CreateDirectory(options.OutputFolder);
        var path = MeasuredProfileWriter.Write(options.OutputFolder, result, peaks, calibration);
        return (result, path);
    }

    /// <summary>Every model YAML in <paramref name="folder"/>, sorted by file name; an input error when there is none.</summary>
    public static IReadOnlyList<ModelConfig> LoadModels(string folder)
    {
        if (!Directory.Exists(folder)) throw new InputException(folder, "--models", "no such folder (the suite takes its GEMM shapes from model YAML files)");
        var files = Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new InputException(folder, "--models", "holds no .yaml model files");
        return files.Select(ModelLoader.Load).ToList();
    }

    /// <summary>Parses "cpu", "cuda" or "auto".</summary>
    public static AcceleratorChoice ParseAccelerator(string text) => text.ToLowerInvariant() switch
    {
        "cpu" => AcceleratorChoice.Cpu,
        "cuda" => AcceleratorChoice.Cuda,
        "auto" => AcceleratorChoice.Auto,
        _ => throw new InputException("options", "--accelerator", $"expected cpu, cuda or auto, got '{text}'"),
    };

    /// <summary>Parses "quick", "medium" or "full".</summary>
    public static SuiteSize ParseSize(string text) => text.ToLowerInvariant() switch
    {
        "quick" => SuiteSize.Quick,
        "medium" => SuiteSize.Medium,
        "full" => SuiteSize.Full,
        _ => throw new InputException("options", "--size", $"expected quick, medium or full, got '{text}'"),
    };
}
