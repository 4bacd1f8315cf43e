using MoESim.Config;
using MoESim.Cost;
using MoESim.Hardware;
using MoESim.Results;

namespace MoESim.Serving;

/// <summary>
/// Splits one device's memory between weights and KV cache. A model whose weights do not fit is
/// an input error that says by how much.
/// </summary>
public static class SingleDeviceMemory
{
    /// <summary>The memory plan of <paramref name="work"/> on <paramref name="device"/> under <paramref name="config"/>'s utilisation.</summary>
    public static MemoryPlan Plan(ModelWork work, DeviceProfile device, ServingConfig config)
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
