using System.Globalization;
using MoESim.Cost;
using MoESim.Engine;
using MoESim.Hardware.Topology;
using MoESim.Metrics;
using MoESim.Platforms;
using MoESim.Randomness;
using MoESim.Serving;

namespace MoESim.Runs;

/// <summary>
/// Loads the inputs of a pipeline-parallel run (the model, workload and router options of a
/// single-device run, plus a system profile whose GPUs are the stages), simulates it and computes
/// its metrics (peaks and bandwidth summed over the stages).
/// </summary>
public static class PipelineParallelSimulation
{
    /// <summary>Runs <paramref name="options"/> (its hardware path unused) on the system at <paramref name="systemPath"/>, one stage per GPU, <paramref name="microBatches"/> per step (null: one per stage).</summary>
    public static SimulationRun Run(SimulationOptions options, string systemPath, int? microBatches, IProgress<double>? progress = null)
    {
        var model = SimulationRunner.LoadModel(options);
        var system = SystemProfileLoader.Load(systemPath);
        var random = new SeededRandom(options.Seed);
        var requests = SimulationRunner.LoadRequests(options, random);
        var router = SimulationRunner.CreateRouter(options, model, requests, random);
        try
        {
            var timeline = options.Serving.RecordTimeline ? new TimelineRecorder() : null;
            var platform = Platform.ForSystem(system, new Simulator(), timeline);
            var time = platform.Devices.Select(d => OperatorTimeModels.For(d.Profile)).ToList();
            int micro = microBatches ?? system.DeviceCount;
            var result = ServingInstances.PipelineParallel(new ModelWork(model), platform, time, router, requests, options.Serving, micro, progress, timeline).Run();
            var gemmType = model.DataTypes.Weights is Units.DataType.Fp8 or Units.DataType.Int8 ? model.DataTypes.Weights : model.DataTypes.Activations;
            double peak = system.Devices.Sum(d => d.Profile.PeakFor(gemmType));
            double bandwidth = system.Devices.Sum(d => d.Profile.MainMemory.BandwidthBytesPerSecond);
            var inv = CultureInfo.InvariantCulture;
            return new SimulationRun
            {
                Options = options,
                Model = model,
                Device = system.Devices[0].Profile,
                PlatformName = $"{system.Name} (PP {system.DeviceCount})",
                RouterDescription = router?.Description ?? "none (dense model)",
                Result = result,
                Metrics = ServingMetrics.From(result, peak, bandwidth),
                TimeSeries = TimeSeries.Build(result, SimulationRunner.TimeSeriesWindows, peak, bandwidth),
                EchoedInputs = EchoedInputs.For(options, model,
                [
                    new("system", system.Name),
                    new("system_file", systemPath),
                    new("pipeline_stages", system.DeviceCount.ToString(inv)),
                    new("micro_batches", micro.ToString(inv)),
                ], requests.Count, router?.Description),
            };
        }
        finally
        {
            (router as IDisposable)?.Dispose();
        }
    }
}
