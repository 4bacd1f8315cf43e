using System.Globalization;
using System.Text;
using MoESim.Config;
using MoESim.Hardware.Topology;
using MoESim.IO;
using MoESim.Metrics;
using MoESim.Cost;
using MoESim.Parallelism;
using MoESim.Placement;
using MoESim.Plots;
using MoESim.Serving;
using MoESim.Serving.ExpertParallel;
using Spectre.Console;
using MoESim.Runs;

namespace MoESim.Cli;

/// <summary>
/// <c>moesim simulate --system S</c>: expert-parallel serving on a multi-GPU system. Writes
/// report.json (with an <c>expert_parallel</c> section), requests.csv, timeseries.csv,
/// moe_layers.csv, device_load.csv and plots (the over-time charts and per-GPU load bars).
/// </summary>
internal static class SimulateSystemRunner
{
    /// <summary>
    /// Loads the placement YAML at <paramref name="path"/> and checks it against the model of
    /// <paramref name="options"/> and the system at <paramref name="systemPath"/>: device count,
    /// MoE layers, experts per layer, and every device's expert copies within the memory left
    /// for experts at the run's memory utilization. Any mismatch is an <see cref="InputException"/>.
    /// </summary>
    public static ExpertPlacement LoadPlacement(string path, SimulationOptions options, string systemPath)
    {
        if (!File.Exists(path)) throw new InputException(path, "--placement", "file not found");
        var model = SimulationRunner.LoadModel(options);
        if (model.Moe is null) throw new InputException(options.ModelPath, "--placement", $"model {model.Name} is dense: it has no experts to place");
        var system = SystemProfileLoader.Load(systemPath);
        var work = new ModelWork(model);
        var memory = PlacementSystems.From(system, work, options.Serving.MemoryUtilization).ExpertMemoryBytesPerDevice;
        return ExpertPlacementYamlReader.Load(path, new ExpertPlacementLimits
        {
            NumDevices = system.DeviceCount,
            NumMoeLayers = model.NumMoeLayers,
            NumExperts = model.Moe.NumExperts,
            ExpertWeightBytes = work.ExpertWeightBytes,
            ExpertMemoryBytesPerDevice = memory,
        });
    }

    /// <summary>
    /// Writes a warning to <paramref name="error"/> when the expert-parallel degree (the system's
    /// GPU count) exceeds the model's experts per layer so that some GPUs hold no expert under
    /// <paramref name="placement"/> (null: the contiguous default). Such a run is legal, since
    /// those GPUs still run attention and a placement with replicas can fill them, so it is a
    /// warning and not an error; but a user who asked for 32 GPUs should hear that 24 idle through
    /// every MoE layer. Returns the number of GPUs without an expert.
    /// </summary>
    public static int WarnIdleGpus(SimulationOptions options, string systemPath, ExpertPlacement? placement, TextWriter error)
    {
        var model = SimulationRunner.LoadModel(options);
        if (model.Moe is not { } moe) return 0;
        var devices = SystemProfileLoader.Load(systemPath).DeviceCount;
        if (devices <= moe.NumExperts) return 0;
        placement ??= ExpertPlacement.Contiguous(model.NumMoeLayers, moe.NumExperts, devices);
        var holds = new bool[placement.NumDevices];
        for (var layer = 0; layer < placement.NumMoeLayers; layer++)
            for (var expert = 0; expert < placement.NumExperts; expert++)
                foreach (var replica in placement.Replicas(layer, expert))
                    holds[replica.Device] = true;
        var idle = holds.Count(h => !h);
        if (idle == 0) return 0;
        error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"moesim: warning: expert-parallel degree {placement.NumDevices} is larger than {model.Name}'s {moe.NumExperts} experts per layer: {idle} of {placement.NumDevices} GPUs hold no expert and only run attention; give a --placement with replicas (moesim place --replicas N) or use a system with at most {moe.NumExperts} GPUs"));
        return idle;
    }

    /// <summary>
    /// Simulates, writes outputs into <paramref name="folder"/> and prints a summary;
    /// <paramref name="placementFile"/> (the YAML <paramref name="placement"/> came from, null for
    /// the contiguous default) and <paramref name="scenarioFile"/> (the scenario the run came from,
    /// null without one) are echoed in report.json.
    /// </summary>
    public static void Run(SimulationOptions options, string systemPath, ExpertPlacement? placement, string? placementFile, ExpertParallelConfig config,
        string folder, bool plots, TextWriter output, string? scenarioFile = null)
    {
        var run = ConsoleProgress.Run("Simulating", p => ExpertParallelSimulation.Run(options, systemPath, placement, config, p));
        if (placementFile is not null || scenarioFile is not null)
        {
            var echo = new Dictionary<string, string>(run.EchoedInputs);
            if (placementFile is not null) echo["placement_file"] = placementFile;
            if (scenarioFile is not null) echo["scenario"] = scenarioFile;
            run = run with { EchoedInputs = echo };
        }
        var files = WriteOutputs(run, folder, plots);
        Print(run, files, output);
    }

    private static List<string> WriteOutputs(ExpertParallelRun run, string folder, bool plots)
    {
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        string Add(string name)
        {
            var path = Path.Combine(folder, name);
            files.Add(path);
            return path;
        }
        ExpertParallelSimulation.WriteReport(Add("report.json"), run);
        ReportWriter.WriteRequestsCsv(Add("requests.csv"), run.Result.Serving.Requests);
        ReportWriter.WriteTimeSeriesCsv(Add("timeseries.csv"), run.TimeSeries);
        bool moe = run.Model.Moe is not null; // a dense model has no MoE layers or expert load to report
        if (moe)
        {
            AtomicFile.WriteAllText(Add("moe_layers.csv"), LayersCsv(run.Result));
            AtomicFile.WriteAllText(Add("device_load.csv"), DevicesCsv(run));
        }
        if (run.Result.Serving.Timeline is { } timeline)
            timeline.WriteChromeTrace(Add("timeline.json"));
        if (plots)
        {
            var title = $"{run.Model.Name} on {run.System.Name}";
            var charts = ServingCharts.Save(run.TimeSeries, title, folder).ToList();
            if (moe) charts.Add(Plots.BarChart.Save(new BarChartData
            {
                Title = $"Per-GPU expert load: {title} ({run.PlacementStrategy} placement)",
                CategoryAxisLabel = "GPU",
                ValueAxisLabel = "Token-expert pairs per MoE layer per step",
                Categories = run.System.Devices.Select(d => d.Name).ToArray(),
                Groups = new[] { new BarGroup { Name = run.PlacementStrategy, Values = PairsPerLayerStep(run.Result) } },
                ShowValueLabels = run.System.DeviceCount <= 16,
            }, Path.Combine(folder, "device_load")));
            foreach (var chart in charts)
            {
                files.Add(chart.PngPath);
                files.Add(chart.SvgPath);
            }
        }
        return files;
    }

    private static double[] PairsPerLayerStep(ExpertParallelResult r)
    {
        double per = r.Steps == 0 ? 0 : 1.0 / (r.Steps * r.MoeLayerSeconds.Count);
        return r.DevicePairs.Select(p => p * per).ToArray();
    }

    private static string LayersCsv(ExpertParallelResult r)
    {
        var sb = new StringBuilder("moe_layer,mean_moe_layer_seconds_per_step,mean_straggler_seconds_per_step\n");
        double steps = Math.Max(1, r.Steps);
        for (int l = 0; l < r.MoeLayerSeconds.Count; l++)
            sb.Append(CultureInfo.InvariantCulture, $"{l},{r.MoeLayerSeconds[l] / steps:R},{r.StragglerSeconds[l] / steps:R}\n");
        return sb.ToString();
    }

    private static string DevicesCsv(ExpertParallelRun run)
    {
        var sb = new StringBuilder("gpu,name,machine,token_expert_pairs,pairs_per_moe_layer_step\n");
        var perStep = PairsPerLayerStep(run.Result);
        foreach (var d in run.System.Devices)
            sb.Append(CultureInfo.InvariantCulture, $"{d.Index},{d.Name},{d.Machine},{run.Result.DevicePairs[d.Index]},{perStep[d.Index]:R}\n");
        return sb.ToString();
    }

    private static void Print(ExpertParallelRun run, IReadOnlyList<string> files, TextWriter output)
    {
        var console = SummaryPrinter.CreateConsole(output);
        var r = run.Result;
        var inv = CultureInfo.InvariantCulture;
        console.MarkupLine(Markup.Escape(string.Create(inv,
            $"MoESim {ReportWriter.ToolVersion}: {run.Model.Name} ({Units.DataTypes.Name(run.Model.DataTypes.Weights)} weights) on {run.System.Name} ({r.Devices} GPUs, {Layout(run)}), {r.Metrics.Requests} requests, {run.RouterDescription}")));
        SummaryPrinter.PrintServing(console, r.Metrics);
        if (run.Model.Moe is null)
        {
            console.MarkupLine(Markup.Escape(string.Create(inv, $"tensor parallel: TP collectives {r.TensorParallelSeconds:F3} s over {r.Steps} steps")));
            console.MarkupLine(Markup.Escape($"wrote: {DisplayPath.Join(files)}"));
            return;
        }
        console.MarkupLine(Markup.Escape(string.Create(inv,
            $"expert parallel: MoE layer {r.MeanMoeLayerSeconds * 1e6:F1} us per step (straggler {r.MeanStragglerSeconds * 1e6:F1} us), GPU load max/mean {r.LoadImbalance:F3}, all-to-all {r.AllToAllSeconds:F3} s and {r.AllToAllBytes / 1e9:F2} GB, TP collectives {r.TensorParallelSeconds:F3} s over {r.Steps} steps")));
        console.MarkupLine(Markup.Escape($"wrote: {DisplayPath.Join(files)}"));
    }

    // "EP 8, TP 1, contiguous placement" for an MoE model, "DP 1 x TP 2 (dense model)" for a dense one.
    private static string Layout(ExpertParallelRun run)
    {
        var tp = run.EchoedInputs["tensor_parallel"];
        return run.Model.Moe is null
            ? $"DP {run.EchoedInputs["data_parallel"]} x TP {tp} (dense model)"
            : $"EP {run.Result.Devices}, TP {tp}, {run.PlacementStrategy} placement";
    }
}
