using MoESim.Collectives;
using MoESim.Config;
using MoESim.Cost;
using MoESim.Engine;
using MoESim.Hardware;
using MoESim.Parallelism;
using MoESim.Platforms;
using MoESim.Serving.ExpertParallel;
using MoESim.Serving.Loop;
using MoESim.Serving.Scheduling;
using MoESim.Serving.Steps;
using MoESim.Traces;

namespace MoESim.Serving;

/// <summary>
/// Builds serving instances for today's layouts from loaded inputs: one device (the one-device
/// case of the serving loop) and expert parallelism over a multi-GPU system (the same loop with
/// an expert-parallel step planner). Checks the inputs' shapes first.
/// </summary>
public static class ServingInstances
{
    /// <summary>
    /// An instance serving <paramref name="requests"/> of <paramref name="work"/>'s model on
    /// <paramref name="device"/> on its own clock, routed by <paramref name="router"/> (null only
    /// for a dense model), on <paramref name="simulator"/>'s clock when given (a cluster's); with
    /// <paramref name="externalArrivals"/> requests arrive only when handed over (<see cref="ServingInstance.Admit"/>).
    /// </summary>
    public static ServingInstance SingleDevice(ModelWork work, DeviceProfile device, IOperatorTimeModel timeModel, IReadOnlyList<Request> requests,
        IRoutingSource? router, ServingConfig config, IProgress<double>? progress = null, Simulator? simulator = null, bool externalArrivals = false)
    {
        ThrowIfInvalid(config);
        if (requests.Count == 0)
            throw new InputException("request trace", "", "empty request trace: nothing to simulate");
        var moe = work.Model.Moe;
        if (moe is not null && router is null)
            throw new ArgumentException("an MoE model needs a routing source", nameof(router));
        if (moe is not null && router is not null && (router.NumExperts != moe.NumExperts || router.NumMoeLayers != work.Model.NumMoeLayers || router.TopK != moe.TopK))
            throw new InputException("routing", "shape",
                $"the routing source has {router.NumMoeLayers} MoE layers x {router.NumExperts} experts, top-{router.TopK}; model {work.Model.Name} has {work.Model.NumMoeLayers} x {moe.NumExperts}, top-{moe.TopK}");
        var memory = SingleDeviceMemory.Plan(work, device, config);
        var sim = simulator ?? new Simulator();
        var timeline = config.RecordTimeline ? new TimelineRecorder() : null;
        var platform = Platform.ForDevice(device, sim, timeline);
        var kv = new MemoryPool("kv-cache", (long)memory.KvCacheBytes);
        var scheduler = new ContinuousBatchScheduler(requests, config, kv, memory.KvBytesPerToken);
        var planner = new WholePassPlanner(new IterationCostModel(work, timeModel), platform.Devices[0].Compute, moe is null ? null : router);
        return new ServingInstance(sim, requests, scheduler, kv, planner, memory, progress, progressEverySteps: 2048) { Timeline = timeline, ExternalArrivals = externalArrivals };
    }

    /// <summary>
    /// An instance serving <paramref name="requests"/> on <paramref name="platform"/>'s system (and
    /// clock), data- and tensor-parallel, with expert parallelism for an MoE model (placement and
    /// router then required; both null for a dense model): one scheduler whose limits are the
    /// data-parallel groups' summed, and an <see cref="ExpertParallelPlanner"/> running each step.
    /// </summary>
    public static ServingInstance ExpertParallel(ModelWork work, Platform platform, IReadOnlyList<IOperatorTimeModel> timeModels,
        ExpertPlacement? placement, IRoutingSource? router, IReadOnlyList<Request> requests, ExpertParallelConfig config,
        IProgress<double>? progress = null, TimelineRecorder? timeline = null)
    {
        var network = platform.Network ?? throw new ArgumentException($"platform {platform.Name} is one device: expert parallelism needs a system", nameof(platform));
        var memory = ExpertParallelMemory.For(work, network.Topology, placement, config);
        int dp = network.DeviceCount / config.TensorParallel;
        var kv = new MemoryPool("kv-cache", (long)memory.KvCacheBytes);
        var global = config.Serving with { MaxBatchTokens = config.Serving.MaxBatchTokens * dp, MaxSequences = config.Serving.MaxSequences * dp };
        var scheduler = new ContinuousBatchScheduler(requests, global, kv, memory.KvBytesPerToken);
        var planner = new ExpertParallelPlanner(work, platform, timeModels, placement, router, requests, config);
        return new ServingInstance(platform.Simulator, requests, scheduler, kv, planner, memory.AsSystemPlan(), progress, progressEverySteps: 256) { Timeline = timeline };
    }

    /// <summary>
    /// An instance serving <paramref name="requests"/> pipeline-parallel over every device of
    /// <paramref name="platform"/> (one stage each, contiguous layer blocks), with
    /// <paramref name="microBatches"/> micro-batches per step; <paramref name="router"/> is null
    /// only for a dense model.
    /// </summary>
    public static ServingInstance PipelineParallel(ModelWork work, Platform platform, IReadOnlyList<IOperatorTimeModel> timeModels,
        IRoutingSource? router, IReadOnlyList<Request> requests, ServingConfig config, int microBatches, IProgress<double>? progress = null,
        TimelineRecorder? timeline = null)
    {
        ThrowIfInvalid(config);
        var planner = new PipelineParallelPlanner(work, platform, timeModels, router, microBatches);
        var memory = PipelineParallelMemory.Plan(work, platform, planner.StageFirstLayers, config);
        var kv = new MemoryPool("kv-cache", (long)memory.KvCacheBytes);
        var scheduler = new ContinuousBatchScheduler(requests, config, kv, memory.KvBytesPerToken);
        return new ServingInstance(platform.Simulator, requests, scheduler, kv, planner, memory, progress, progressEverySteps: 2048) { Timeline = timeline };
    }

    // Batching limits out of range are input errors, all reported together.
    private static void ThrowIfInvalid(ServingConfig config)
    {
        var problems = config.Validate().ToList();
        if (problems.Count > 0)
            throw new InputException(problems.Select(p => new InputError("serving options", 0, 0, p.Field, p.Problem)).ToList());
    }
}
