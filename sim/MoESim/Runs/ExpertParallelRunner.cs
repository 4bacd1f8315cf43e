using MoESim.Collectives;
using MoESim.Config;
using MoESim.Cost;
using MoESim.Engine;
using MoESim.Hardware;
using MoESim.Hardware.Topology;
using MoESim.Metrics;
using MoESim.Models;
using MoESim.Parallelism;
using MoESim.Platforms;
using MoESim.Serving;
using MoESim.Serving.ExpertParallel;
using MoESim.Traces;

namespace MoESim.Runs;

/// <summary>
/// Runs expert-parallel serving from loaded inputs: the entry point for the CLI and for
/// placement strategies that score a placement end to end.
/// </summary>
public static class ExpertParallelRunner
{
    /// <summary>
    /// Serves <paramref name="requests"/> (in arrival order) of <paramref name="model"/> on
    /// <paramref name="system"/> with experts placed by <paramref name="placement"/> (contiguous
    /// blocks when null) and routed by <paramref name="router"/>. Shape mismatches between model,
    /// router, placement and system are input errors.
    /// </summary>
    public static ExpertParallelResult Run(ModelConfig model, SystemTopology system, ExpertPlacement? placement, IRoutingSource? router,
        IReadOnlyList<Request> requests, ExpertParallelConfig config, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(config);
        Validate(model, system, placement, router, requests, config);
        if (model.Moe is { } moe)
            placement ??= ExpertPlacement.Contiguous(model.NumMoeLayers, moe.NumExperts, system.DeviceCount);
        else
            router = null; // a dense model routes nothing
        var work = new ModelWork(model);
        var models = new Dictionary<DeviceProfile, IOperatorTimeModel>(ReferenceEqualityComparer.Instance);
        var timeModels = new IOperatorTimeModel[system.DeviceCount];
        double peak = 0, bandwidth = 0;
        var gemmType = model.DataTypes.Weights is Units.DataType.Fp8 or Units.DataType.Int8 ? model.DataTypes.Weights : model.DataTypes.Activations;
        foreach (var device in system.Devices)
        {
            if (!models.TryGetValue(device.Profile, out var tm)) models[device.Profile] = tm = OperatorTimeModels.For(device.Profile);
            timeModels[device.Index] = tm;
            peak += device.Profile.PeakFor(gemmType);
            bandwidth += device.Profile.MainMemory.BandwidthBytesPerSecond;
        }
        var timeline = config.Serving.RecordTimeline ? new TimelineRecorder() : null;
        var platform = Platform.ForSystem(system, new Simulator(), timeline);
        var instance = ServingInstances.ExpertParallel(work, platform, timeModels, placement, router, requests, config, progress, timeline);
        var serving = instance.Run();
        var stats = ((ExpertParallelPlanner)instance.Planner).Stats();
        return new ExpertParallelResult { Serving = serving, Metrics = ServingMetrics.From(serving, peak, bandwidth), Stats = stats };
    }

    private static void Validate(ModelConfig model, SystemTopology system, ExpertPlacement? placement, IRoutingSource? router,
        IReadOnlyList<Request> requests, ExpertParallelConfig config)
    {
        var errors = new InputErrorList();
        foreach (var (field, problem) in config.Validate(system.DeviceCount))
            errors.Add("serving options", 0, 0, field, problem);
        if (requests.Count == 0)
            errors.Add("request trace", 0, 0, "", "empty request trace: nothing to simulate");
        if (model.Moe is not { } moe)
        {
            // Dense: data and tensor parallelism only.
            if (placement is not null)
                errors.Add($"placement ({placement.Strategy})", 0, 0, "placement", $"model {model.Name} is dense: it has no experts to place");
            errors.ThrowIfAny();
            return;
        }
        if (router is null)
            errors.Add("routing", 0, 0, "router", $"model {model.Name} has routed experts: a routing source (synthetic router or trace) is needed");
        else if (router.NumExperts != moe.NumExperts || router.NumMoeLayers != model.NumMoeLayers || router.TopK != moe.TopK)
            errors.Add("routing", 0, 0, "shape",
                $"the routing source has {router.NumMoeLayers} MoE layers x {router.NumExperts} experts, top-{router.TopK}; model {model.Name} has {model.NumMoeLayers} x {moe.NumExperts}, top-{moe.TopK}");
        if (placement is not null && (placement.NumDevices != system.DeviceCount || placement.NumMoeLayers != model.NumMoeLayers || placement.NumExperts != moe.NumExperts))
            errors.Add($"placement ({placement.Strategy})", 0, 0, "shape",
                $"places {placement.NumMoeLayers} MoE layers x {placement.NumExperts} experts on {placement.NumDevices} devices; " +
                $"model {model.Name} on {system.Name} needs {model.NumMoeLayers} x {moe.NumExperts} on {system.DeviceCount}");
        errors.ThrowIfAny();
    }
}
