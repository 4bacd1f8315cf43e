using MoESim.Cost;
using MoESim.Hardware;
using MoESim.Metrics;
using MoESim.Models;
using MoESim.Randomness;
using MoESim.Serving;
using MoESim.Traces;
using MoESim.Traces.Synthetic;
using MoESim.Traces.Replay;

namespace MoESim.Runs;

/// <summary>Loads the inputs of a single-device run, simulates it and computes its metrics.</summary>
public static class SimulationRunner
{
    /// <summary>Time windows in over-time plots and timeseries.csv.</summary>
    public const int TimeSeriesWindows = 100;

    public static SimulationRun Run(SimulationOptions options, IProgress<double>? progress = null)
    {
        var model = LoadModel(options);
        var device = DeviceProfileLoader.Load(options.HardwarePath);
        var random = new SeededRandom(options.Seed);
        var requests = LoadRequests(options, random);
        var router = CreateRouter(options, model, requests, random);
        try
        {
            return Simulate(options, model, device, requests, router, progress);
        }
        finally
        {
            (router as IDisposable)?.Dispose();
        }
    }

    private static SimulationRun Simulate(SimulationOptions options, ModelConfig model, DeviceProfile device, IReadOnlyList<Request> requests, IRoutingSource? router, IProgress<double>? progress)
    {
        var work = new ModelWork(model);
        var timeModel = OperatorTimeModels.For(device);
        var result = ServingInstances.SingleDevice(work, device, timeModel, requests, router, options.Serving, progress).Run();
        var peak = device.PeakFor(model.DataTypes.Weights is Units.DataType.Fp8 or Units.DataType.Int8 ? model.DataTypes.Weights : model.DataTypes.Activations);
        var bandwidth = device.MainMemory.BandwidthBytesPerSecond;
        return new SimulationRun
        {
            Options = options,
            Model = model,
            Device = device,
            RouterDescription = router?.Description ?? "none (dense model)",
            Result = result,
            Metrics = ServingMetrics.From(result, peak, bandwidth),
            TimeSeries = TimeSeries.Build(result, TimeSeriesWindows, peak, bandwidth),
            EchoedInputs = EchoedInputs.For(options, model,
                [new("hardware", device.Name), new("hardware_file", options.HardwarePath)], requests.Count, router?.Description),
        };
    }

    /// <summary>The model of <paramref name="options"/>, with its weight type overridden when asked.</summary>
    public static ModelConfig LoadModel(SimulationOptions options)
    {
        var model = ModelLoader.Load(options.ModelPath);
        return options.WeightDataType is { } weights ? model.WithDataTypes(model.DataTypes with { Weights = weights }) : model;
    }

    /// <summary>The request trace of <paramref name="options"/>, or Poisson arrivals drawn from <paramref name="random"/>'s stream 1.</summary>
    public static IReadOnlyList<Request> LoadRequests(SimulationOptions options, SeededRandom random) =>
        options.RequestTracePath is null
            ? PoissonRequestGenerator.Generate(options.PoissonRequests, options.PoissonRatePerSecond, options.PromptTokensMin,
                options.PromptTokensMax, options.OutputTokensMin, options.OutputTokensMax, random.Fork(1))
            : RequestTraceReader.Read(options.RequestTracePath, options.MaxRequests);

    /// <summary>
    /// The routing source of <paramref name="options"/>: trace replay when a trace is given (the caller
    /// disposes it), else the synthetic router seeded from <paramref name="random"/>'s stream 2; null
    /// for a dense model.
    /// </summary>
    public static IRoutingSource? CreateRouter(SimulationOptions options, ModelConfig model, IReadOnlyList<Request> requests, SeededRandom random)
    {
        if (options.RoutingTracePath is { } trace)
        {
            if (model.Moe is null) throw new Config.InputException(trace, "--trace", $"model {model.Name} is dense: it has no experts to route");
            return TraceReplayRouter.Open(trace, model.Name, model.NumMoeLayers, model.Moe.NumExperts, model.Moe.TopK, requests,
                TraceReplayRouter.DefaultCacheSelections, options.UseTraceIndexFile, TraceReplayRouter.SummaryBudgetBytes,
                options.TraceIndexFileMinBytes);
        }
        if (model.Moe is null) return null;
        var seed = random.Fork(2).NextUInt64();
        if (options.RouterParametersPath is { } parameters)
        {
            var config = GeneratorParametersFile.Read(parameters);
            if (!config.Matches(model.NumMoeLayers, model.Moe.NumExperts, model.Moe.TopK))
                throw new Config.InputException(parameters, "shape",
                    $"the router parameters are for {config.NumMoeLayers} MoE layers x {config.NumExperts} experts, top-{config.TopK}; model {model.Name} has {model.NumMoeLayers} x {model.Moe.NumExperts}, top-{model.Moe.TopK}");
            return SyntheticRoutingSource.Create(config with { Seed = seed });
        }
        return new SyntheticRouter(new SyntheticRouterConfig
        {
            NumMoeLayers = model.NumMoeLayers,
            NumExperts = model.Moe.NumExperts,
            TopK = model.Moe.TopK,
            ZipfExponent = options.RouterZipfExponent,
            // A stream of its own: the router forks per-layer streams from its seed the same way
            // the runner does, so reusing options.Seed would correlate arrivals with routing.
            Seed = seed,
        });
    }
}
