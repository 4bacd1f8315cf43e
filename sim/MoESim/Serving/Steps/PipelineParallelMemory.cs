using MoESim.Config;
using MoESim.Cost;
using MoESim.Platforms;
using MoESim.Results;

namespace MoESim.Serving.Steps;

/// <summary>
/// Memory of a pipeline: each stage holds its layers' weights (the model's layer weights shared
/// evenly per layer; the input embedding on the first stage, the LM head on the last, both even
/// when tied, since they sit on different devices) and its layers' share of every token's KV
/// cache. The pipeline holds as many tokens as its tightest stage allows.
/// </summary>
public static class PipelineParallelMemory
{
    /// <summary>The plan for <paramref name="work"/> over stages whose first layers are <paramref name="firstLayers"/> (stages + 1 entries) on <paramref name="platform"/>'s devices.</summary>
    public static MemoryPlan Plan(ModelWork work, Platform platform, IReadOnlyList<int> firstLayers, ServingConfig config)
    {
        var model = work.Model;
        double w = Units.DataTypes.BytesPerElement(model.DataTypes.Weights);
        double embedding = work.LmHeadParameters * w;
        double perLayer = (work.TotalWeightBytes - embedding * (model.TieWordEmbeddings ? 1 : 2)) / model.NumLayers;
        int stages = platform.Devices.Count;
        double tokens = double.PositiveInfinity, usableSum = 0, weightSum = 0;
        var errors = new InputErrorList();
        for (int s = 0; s < stages; s++)
        {
            int layers = firstLayers[s + 1] - firstLayers[s];
            double weights = perLayer * layers + (s == 0 ? embedding : 0) + (s == stages - 1 ? embedding : 0);
            double usable = platform.Devices[s].Profile.MainMemory.CapacityBytes * config.MemoryUtilization;
            usableSum += usable;
            weightSum += weights;
            if (weights >= usable)
            {
                errors.Add($"system {platform.Name}", 0, 0, "memory",
                    $"stage {s} ({platform.Devices[s].Name}, layers {firstLayers[s]}..{firstLayers[s + 1] - 1}) needs {weights / 1e9:F1} GB of weights, {usable / 1e9:F1} GB usable; use more stages or smaller weights");
                continue;
            }
            tokens = Math.Min(tokens, (usable - weights) / (work.KvCacheBytesPerToken * layers / model.NumLayers));
        }
        errors.ThrowIfAny();
        return new MemoryPlan
        {
            UsableBytes = usableSum,
            WeightBytes = weightSum,
            KvCacheBytes = Math.Floor(tokens) * work.KvCacheBytesPerToken,
            KvBytesPerToken = work.KvCacheBytesPerToken,
        };
    }
}
