using MoESim.Config;
using MoESim.Cost;
using MoESim.Hardware;

namespace MoESim.Serving;

/// <summary>
/// How a device's memory is split between weights and KV cache. A model whose weights do not
/// fit is an input error that says by how much.
/// </summary>
public sealed record MemoryPlan
{
    /// <summary>Memory the engine may use: capacity × utilisation, bytes.</summary>
    public required double UsableBytes { get; init; }
    public required double WeightBytes { get; init; }
    /// <summary>What is left for the KV cache, bytes.</summary>
    public required double KvCacheBytes { get; init; }
    public required double KvBytesPerToken { get; init; }

    /// <summary>Tokens the KV cache holds across all sequences.</summary>
    public long KvCacheTokens => (long)Math.Floor(KvCacheBytes / KvBytesPerToken);

    public static MemoryPlan For(ModelWork work, DeviceProfile device, ServingConfig config)
    {
        var usable = device.MainMemory.CapacityBytes * config.MemoryUtilization;
        var weights = work.TotalWeightBytes;
        if (weights >= usable)
        {
            var gb = 1e9;
            var weightType = Units.DataTypes.Name(work.Model.DataTypes.Weights);
            throw new InputException(new InputError($"model {work.Model.Name}", 0, 0, "memory",
                $"does not fit on {device.Name}: weights need {weights / gb:F1} GB in {weightType}, but only {usable / gb:F1} GB is usable " +
                $"({config.MemoryUtilization:P0} of {device.MainMemory.CapacityBytes / gb:F1} GB), short by {(weights - usable) / gb:F1} GB " +
                "before any KV cache; use smaller weights (e.g. --weight-dtype fp8) or a device with more memory"));
        }
        return new MemoryPlan
        {
            UsableBytes = usable,
            WeightBytes = weights,
            KvCacheBytes = usable - weights,
            KvBytesPerToken = work.KvCacheBytesPerToken,
        };
    }
}
