using MoESim.Config;
using MoESim.Units;

namespace MoESim.Hardware;

/// <summary>
/// Loads a device profile YAML (with <c>extends:</c>), converting human units in key names
/// (<c>bf16_tflops</c>, <c>capacity_gib</c>, <c>bandwidth_gb_per_s</c>, <c>latency_us</c>) to SI once.
/// </summary>
public static class DeviceProfileLoader
{
    /// <summary>Loads and validates a profile; throws <see cref="InputException"/> listing every error.</summary>
    public static DeviceProfile Load(string path)
    {
        var loader = new YamlDocumentLoader();
        var root = loader.LoadMapping(path);
        var errors = new InputErrorList();
        var map = new YamlMapReader(root, loader, YamlDocumentLoader.DisplayPath(path), "", errors);
        var profile = Read(map);
        map.Finish();
        errors.ThrowIfAny();
        return profile;
    }

    internal static DeviceProfile Read(YamlMapReader map)
    {
        var name = map.RequiredString("name");
        var kind = map.RequiredEnum<DeviceKind>("kind");
        var peaks = ReadPeaks(map.RequiredMap("compute"), map);
        var tiers = new List<MemoryTier>();
        foreach (var tier in map.MapList("memory", required: true))
        {
            tiers.Add(ReadTier(tier));
            tier.Finish();
        }
        if (tiers.Count == 0 && map.Has("memory"))
            map.Error("memory", "needs at least one memory tier");
        var hostLink = ReadHostLink(map.RequiredMap("host_link"));
        var launch = map.RequiredDouble("kernel_launch_overhead_us", positive: false) * UnitConversions.SecondsPerMicrosecond;
        var power = map.RequiredDouble("power_watts");
        var price = map.RequiredDouble("price_per_hour_usd", positive: false);
        var (defaultEff, opEff) = ReadEfficiency(map.RequiredMap("efficiency"));
        var calibrationMap = map.OptionalMap("calibration");
        var calibration = calibrationMap is null ? null : Calibration.CalibrationLoader.Read(calibrationMap);
        return new DeviceProfile
        {
            Name = name,
            Kind = kind,
            PeakFlopsPerSecond = peaks,
            MemoryTiers = tiers.Count > 0 ? tiers : new[] { new MemoryTier { Name = "?", CapacityBytes = 1, BandwidthBytesPerSecond = 1 } },
            HostLink = hostLink,
            KernelLaunchOverheadSeconds = launch,
            PowerWatts = power,
            PricePerHourUsd = price,
            DefaultEfficiency = defaultEff,
            OperatorEfficiency = opEff,
            Calibration = calibration,
        };
    }

    private static Dictionary<DataType, double> ReadPeaks(YamlMapReader? compute, YamlMapReader parent)
    {
        var peaks = new Dictionary<DataType, double>();
        if (compute is null) return peaks;
        foreach (var key in compute.Keys.ToList())
        {
            var suffix = key.EndsWith("_tflops", StringComparison.Ordinal) ? "_tflops" : key.EndsWith("_tops", StringComparison.Ordinal) ? "_tops" : null;
            if (suffix is null || !DataTypes.TryParse(key[..^suffix.Length], out var type))
                continue; // left unread: Finish() reports it as an unknown field
            peaks[type] = compute.RequiredDouble(key) * UnitConversions.FlopsPerTflop;
        }
        compute.Finish();
        if (peaks.Count == 0)
            parent.Error("compute", "needs at least one peak such as bf16_tflops or int8_tops");
        return peaks;
    }

    private static MemoryTier ReadTier(YamlMapReader tier)
    {
        var name = tier.RequiredString("name");
        double capacity;
        if (tier.Has("capacity_gib"))
            capacity = tier.RequiredDouble("capacity_gib") * UnitConversions.BytesPerGiB;
        else
            capacity = tier.RequiredDouble("capacity_gb") * UnitConversions.BytesPerGB;
        var bandwidth = tier.RequiredDouble("bandwidth_gb_per_s") * UnitConversions.BytesPerSecondPerGBps;
        var energyPj = tier.OptionalDouble("energy_pj_per_byte") ?? 0;
        return new MemoryTier
        {
            Name = name,
            CapacityBytes = capacity,
            BandwidthBytesPerSecond = bandwidth,
            EnergyJoulesPerByte = energyPj * 1e-12,
        };
    }

    private static HostLink ReadHostLink(YamlMapReader? link)
    {
        if (link is null) return new HostLink { Name = "?", BandwidthBytesPerSecondPerDirection = 1, LatencySeconds = 0 };
        var result = new HostLink
        {
            Name = link.RequiredString("name"),
            BandwidthBytesPerSecondPerDirection = link.RequiredDouble("bandwidth_gb_per_s") * UnitConversions.BytesPerSecondPerGBps,
            LatencySeconds = link.RequiredDouble("latency_us", positive: false) * UnitConversions.SecondsPerMicrosecond,
        };
        link.Finish();
        return result;
    }

    private static (Efficiency, Dictionary<string, Efficiency>) ReadEfficiency(YamlMapReader? eff)
    {
        var perOp = new Dictionary<string, Efficiency>(StringComparer.Ordinal);
        if (eff is null) return (new Efficiency { Compute = 1, Memory = 1 }, perOp);
        var def = new Efficiency { Compute = eff.RequiredDouble("compute", max: 1), Memory = eff.RequiredDouble("memory", max: 1) };
        var ops = eff.OptionalMap("operators");
        if (ops is not null)
        {
            foreach (var key in ops.Keys.ToList())
            {
                var op = ops.RequiredMap(key);
                if (op is null) continue;
                if (!Cost.OperatorKinds.IsKnown(key))
                    ops.Error(key, $"unknown operator kind (expected one of {string.Join(", ", Cost.OperatorKinds.All)})");
                perOp[key] = new Efficiency
                {
                    Compute = op.OptionalDouble("compute", max: 1) ?? def.Compute,
                    Memory = op.OptionalDouble("memory", max: 1) ?? def.Memory,
                };
                op.Finish();
            }
            ops.Finish();
        }
        eff.Finish();
        return (def, perOp);
    }
}
