using MoESim.Config;
using MoESim.Cost;
using MoESim.Hardware.Topology;
using MoESim.Parallelism;
using MoESim.Results;

namespace MoESim.Serving.ExpertParallel;

/// <summary>
/// Weight bytes on every GPU of an expert-parallel layout and the KV cache the system holds.
/// Attention, dense FFNs, embeddings and LM head are split over the tensor-parallel group;
/// router, shared experts and norms are replicated; routed experts occupy the placement's slots
/// (one expert's weights per replica). KV cache: each data-parallel group holds
/// TP × (the smallest free memory in the group) (heads split over TP; MLA's latent cache is in
/// fact replicated, which this overstates by TP for TP &gt; 1), and the system the sum.
/// </summary>
public sealed record ExpertParallelMemory
{
    /// <summary>Weight bytes per GPU, indexed by device.</summary>
    public required IReadOnlyList<double> WeightBytesPerDevice { get; init; }

    /// <summary>Usable bytes per GPU (capacity × memory utilisation).</summary>
    public required IReadOnlyList<double> UsableBytesPerDevice { get; init; }

    /// <summary>KV-cache bytes over the whole system.</summary>
    public required double KvCacheBytes { get; init; }

    /// <summary>KV-cache bytes one token takes (all layers).</summary>
    public required double KvBytesPerToken { get; init; }

    /// <summary>The memory as a single-device <see cref="MemoryPlan"/> of the whole system, for metrics.</summary>
    public MemoryPlan AsSystemPlan() => new()
    {
        UsableBytes = UsableBytesPerDevice.Sum(),
        WeightBytes = WeightBytesPerDevice.Sum(),
        KvCacheBytes = KvCacheBytes,
        KvBytesPerToken = KvBytesPerToken,
    };

    /// <summary>Plans memory; throws an <see cref="InputException"/> naming the device when weights do not fit.</summary>
    public static ExpertParallelMemory For(ModelWork work, SystemTopology system, ExpertPlacement? placement, ExpertParallelConfig config)
    {
        var model = work.Model;
        double w = Units.DataTypes.BytesPerElement(model.DataTypes.Weights);
        int layers = model.NumLayers, moeLayers = model.NumMoeLayers, tp = config.TensorParallel;
        double embeddings = work.LmHeadParameters * (model.TieWordEmbeddings ? 1 : 2);
        double split = layers * work.AttentionParameters + (layers - moeLayers) * work.DenseFfnParameters + embeddings;
        double replicated = moeLayers * (work.RouterParameters + work.SharedExpertParameters);
        double routedAll = moeLayers * (model.Moe?.NumExperts ?? 0) * work.ExpertParameters;
        // Norms and anything else the totals hold: small, replicated.
        double other = work.TotalParameters - split - replicated - routedAll;
        int n = system.DeviceCount;
        var weights = new double[n];
        var usable = new double[n];
        var errors = new InputErrorList();
        for (int d = 0; d < n; d++)
        {
            long slots = 0;
            for (int l = 0; l < (placement?.NumMoeLayers ?? 0); l++) slots += placement!.SlotsUsed(l, d);
            weights[d] = (split / tp + replicated + other) * w + slots * work.ExpertWeightBytes;
            usable[d] = system.Devices[d].Profile.MainMemory.CapacityBytes * config.Serving.MemoryUtilization;
            if (weights[d] >= usable[d])
                errors.Add($"system {system.Name}", 0, 0, "memory",
                    $"weights do not fit on GPU {d} ({system.Devices[d].Name}): {weights[d] / 1e9:F1} GB needed ({slots} expert replicas), " +
                    $"{usable[d] / 1e9:F1} GB usable; use more GPUs, fewer replicas or smaller weights");
        }
        errors.ThrowIfAny();
        double kv = 0;
        for (int g = 0; g < n / tp; g++)
        {
            double free = double.PositiveInfinity;
            for (int d = g * tp; d < (g + 1) * tp; d++) free = Math.Min(free, usable[d] - weights[d]);
            kv += tp * free;
        }
        return new ExpertParallelMemory
        {
            WeightBytesPerDevice = weights,
            UsableBytesPerDevice = usable,
            KvCacheBytes = kv,
            KvBytesPerToken = work.KvCacheBytesPerToken,
        };
    }
}
