using System.Globalization;
using System.Text.Json;
using MoESim.Hardware.Topology;
using MoESim.Metrics;
using MoESim.Parallelism;
using MoESim.Randomness;
using MoESim.Serving.ExpertParallel;

namespace MoESim.Runs;

/// <summary>
/// Loads the inputs of an expert-parallel run (the same model, workload and router options as a
/// single-device run, plus a system profile), simulates it and computes its metrics; and writes
/// the EP section of report.json.
/// </summary>
public static class ExpertParallelSimulation
{
    /// <summary>
    /// Runs <paramref name="options"/> (its hardware path is ignored) on the system profile at
    /// <paramref name="systemPath"/> with <paramref name="placement"/> (contiguous when null).
    /// </summary>
    public static ExpertParallelRun Run(SimulationOptions options, string systemPath, ExpertPlacement? placement, ExpertParallelConfig config,
        IProgress<double>? progress = null)
    {
        var model = SimulationRunner.LoadModel(options);
        var system = SystemProfileLoader.Load(systemPath);
        var random = new SeededRandom(options.Seed);
        var requests = SimulationRunner.LoadRequests(options, random);
        var router = SimulationRunner.CreateRouter(options, model, requests, random);
        ExpertParallelResult result;
        try
        {
            result = ExpertParallelRunner.Run(model, system, placement, router, requests, config, progress);
        }
        finally
        {
            (router as IDisposable)?.Dispose();
        }
        var gemmType = model.DataTypes.Weights is Units.DataType.Fp8 or Units.DataType.Int8 ? model.DataTypes.Weights : model.DataTypes.Activations;
        double peak = system.Devices.Sum(d => d.Profile.PeakFor(gemmType));
        double bandwidth = system.Devices.Sum(d => d.Profile.MainMemory.BandwidthBytesPerSecond);
        var inv = CultureInfo.InvariantCulture;
        var echo = EchoedInputs.For(options, model,
        [
            new("system", system.Name),
            new("system_file", systemPath),
            new("gpus", system.DeviceCount.ToString(inv)),
            new("tensor_parallel", config.TensorParallel.ToString(inv)),
            new("data_parallel", (system.DeviceCount / config.TensorParallel).ToString(inv)),
            new("expert_parallel", model.Moe is null ? "none (dense model)" : system.DeviceCount.ToString(inv)),
            new("placement", model.Moe is null ? "none (dense model)" : placement?.Strategy ?? "contiguous"),
            new("all_to_all", config.AllToAll.ToString()),
            new("dispatch", config.Dispatch.ToString()),
            new("collective_model", config.CollectiveModel?.ToString() ?? "auto (flows up to 32 GPUs, aggregated above)"),
        ], requests.Count, router?.Description, batchingSuffix: "_per_dp_group");
        return new ExpertParallelRun
        {
            Options = options,
            Model = model,
            System = system,
            RouterDescription = router?.Description ?? "none (dense model)",
            PlacementStrategy = model.Moe is null ? "none (dense model)" : placement?.Strategy ?? "contiguous",
            Result = result,
            TimeSeries = TimeSeries.Build(result.Serving, SimulationRunner.TimeSeriesWindows, peak, bandwidth),
            EchoedInputs = echo,
        };
    }

    /// <summary>Writes report.json: inputs, serving metrics and an <c>expert_parallel</c> section.</summary>
    public static void WriteReport(string path, ExpertParallelRun run)
    {
        var r = run.Result;
        ReportWriter.WriteReport(path, run.EchoedInputs, r.Metrics, w =>
        {
            w.WriteStartObject("expert_parallel");
            w.WriteNumber("steps", r.Steps);
            w.WriteNumber("all_to_all_seconds", r.AllToAllSeconds);
            w.WriteNumber("all_to_all_bytes", r.AllToAllBytes);
            w.WriteNumber("tensor_parallel_collective_seconds", r.TensorParallelSeconds);
            w.WriteNumber("mean_moe_layer_seconds_per_step", r.MeanMoeLayerSeconds);
            w.WriteNumber("mean_straggler_seconds_per_layer_step", r.MeanStragglerSeconds);
            w.WriteNumber("load_imbalance_max_over_mean", r.LoadImbalance);
            WriteArray(w, "device_token_expert_pairs", r.DevicePairs.Select(p => (double)p));
            WriteArray(w, "moe_layer_seconds", r.MoeLayerSeconds);
            WriteArray(w, "straggler_seconds", r.StragglerSeconds);
            w.WriteEndObject();
        });
    }

    private static void WriteArray(Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteNumberValue(v);
        w.WriteEndArray();
    }
}
