using MoESim.Config;
using MoESim.Units;

namespace MoESim.Hardware;

/// <summary>
/// Loads a device profile YAML (with <c>extends:</c>), converting human units in key names
/// (<c>bf16_tflops</c>, <c>capacity_gib</c>, <c>bandwidth_gb_per_s</c>, <c>latency_us</c>,
/// <c>energy_pj_per_byte</c>) to SI once. Layout (hardware-profiles/README.md): <c>name</c>,
/// <c>kind</c>, <c>units:</c> (compute units, primary first), <c>memory:</c> (tiers, main first),
/// <c>host_link</c> (optional for a CPU), overheads, power, price, <c>efficiency</c>, optional
/// <c>calibration</c>. The old <c>compute:</c> map is an error that says how to convert it.
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
        var tiers = ReadTiers(map);
        var oldLayout = map.Has("compute");
        if (oldLayout) ComputeUnitReader.ReportOldCompute(map, kind);
        var units = ComputeUnitReader.Read(map, tiers.Select(t => t.Name).ToList(), required: !oldLayout);
        // A CPU is the host: a copy "from the host" is a copy within its own memory, so its host
        // link is its main tier unless the profile gives one (a measured profile gives its copy rate).
        var hostLink = kind == DeviceKind.Cpu && !map.Has("host_link") ? LocalMemoryLink(tiers) : ReadHostLink(map.RequiredMap("host_link"));
        var launch = map.RequiredDouble("kernel_launch_overhead_us", positive: false, max: ProfileLimits.MaxKernelLaunchOverheadUs) * UnitConversions.SecondsPerMicrosecond;
        var power = map.RequiredDouble("power_watts");
        var price = map.RequiredDouble("price_per_hour_usd", positive: false);
        var (defaultEff, opEff) = ReadEfficiency(map.RequiredMap("efficiency"));
        var calibrationMap = map.OptionalMap("calibration");
        var calibration = calibrationMap is null ? null : Calibration.CalibrationLoader.Read(calibrationMap);
        var placeholderTier = new MemoryTier { Name = "?", CapacityBytes = 1, BandwidthBytesPerSecond = 1 };
        return new DeviceProfile
        {
            Name = name,
            Kind = kind,
            Units = units.Count > 0 ? units : new[] { PlaceholderUnit },
            MemoryTiers = tiers.Count > 0 ? tiers : new[] { placeholderTier },
            HostLink = hostLink,
            KernelLaunchOverheadSeconds = launch,
            PowerWatts = power,
            PricePerHourUsd = price,
            DefaultEfficiency = defaultEff,
            OperatorEfficiency = opEff,
            Calibration = calibration,
        };
    }

    // Stands in for units that failed to read, so reading continues; the load reports the errors.
    private static readonly ComputeUnitProfile PlaceholderUnit = new()
    {
        Name = "?", Kind = ComputeUnitKind.GpuTensorCore, MemoryTierName = "?",
        PeakFlopsPerSecond = new Dictionary<DataType, double> { [DataType.Bf16] = 1 },
    };

    private static List<MemoryTier> ReadTiers(YamlMapReader map)
    {
        var tiers = new List<MemoryTier>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in map.MapList("memory", required: true))
        {
            var tier = ReadTier(item);
            item.Finish();
            if (tier.Name.Length > 0 && !seen.Add(tier.Name))
                item.Error("name", $"memory tier '{tier.Name}' is defined twice (tier names must be unique within a device)");
            tiers.Add(tier);
        }
        if (tiers.Count == 0 && map.Has("memory"))
            map.Error("memory", "needs at least one memory tier");
        return tiers;
    }

    private static MemoryTier ReadTier(YamlMapReader tier)
    {
        var name = tier.RequiredString("name");
        var kindText = tier.OptionalString("kind");
        MemoryTierKind? kind = null;
        if (kindText is not null)
        {
            if (KebabCaseEnum.TryParse<MemoryTierKind>(kindText, out var parsed)) kind = parsed;
            else tier.Error("kind", $"unknown memory tier kind '{kindText}' (expected one of {KebabCaseEnum.AcceptedNames<MemoryTierKind>()})");
        }
        double capacity;
        if (tier.Has("capacity_gib"))
            capacity = tier.RequiredDouble("capacity_gib", max: ProfileLimits.MaxMemoryCapacity) * UnitConversions.BytesPerGiB;
        else
            capacity = tier.RequiredDouble("capacity_gb", max: ProfileLimits.MaxMemoryCapacity) * UnitConversions.BytesPerGB;
        var bandwidth = tier.RequiredDouble("bandwidth_gb_per_s", min: ProfileLimits.MinBandwidthGBps, max: ProfileLimits.MaxBandwidthGBps) * UnitConversions.BytesPerSecondPerGBps;
        var energyPj = tier.OptionalDouble("energy_pj_per_byte") ?? 0;
        return new MemoryTier
        {
            Name = name,
            Kind = kind,
            CapacityBytes = capacity,
            BandwidthBytesPerSecond = bandwidth,
            EnergyJoulesPerByte = energyPj * 1e-12, // pJ -> J
        };
    }

    /// <summary>A CPU's host link when its profile gives none: its main memory tier, no latency.</summary>
    private static HostLink LocalMemoryLink(IReadOnlyList<MemoryTier> tiers) => tiers.Count == 0
        ? new HostLink { Name = "?", BandwidthBytesPerSecondPerDirection = 1, LatencySeconds = 0 }
        : new HostLink { Name = $"local memory ({tiers[0].Name})", BandwidthBytesPerSecondPerDirection = tiers[0].BandwidthBytesPerSecond, LatencySeconds = 0 };

    private static HostLink ReadHostLink(YamlMapReader? link)
    {
        if (link is null) return new HostLink { Name = "?", BandwidthBytesPerSecondPerDirection = 1, LatencySeconds = 0 };
        var result = new HostLink
        {
            Name = link.RequiredString("name"),
            BandwidthBytesPerSecondPerDirection = link.RequiredDouble("bandwidth_gb_per_s", min: ProfileLimits.MinBandwidthGBps, max: ProfileLimits.MaxBandwidthGBps) * UnitConversions.BytesPerSecondPerGBps,
            LatencySeconds = link.RequiredDouble("latency_us", positive: false, max: ProfileLimits.MaxLatencyUs) * UnitConversions.SecondsPerMicrosecond,
        };
        link.Finish();
        return result;
    }

    private static (Efficiency, Dictionary<string, Efficiency>) ReadEfficiency(YamlMapReader? eff)
    {
        var perOp = new Dictionary<string, Efficiency>(StringComparer.Ordinal);
        if (eff is null) return (new Efficiency { Compute = 1, Memory = 1 }, perOp);
        var def = new Efficiency { Compute = eff.RequiredDouble("compute", max: 1, min: ProfileLimits.MinEfficiency), Memory = eff.RequiredDouble("memory", max: 1, min: ProfileLimits.MinEfficiency) };
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
                    Compute = op.OptionalDouble("compute", max: 1, min: ProfileLimits.MinEfficiency) ?? def.Compute,
                    Memory = op.OptionalDouble("memory", max: 1, min: ProfileLimits.MinEfficiency) ?? def.Memory,
                };
                op.Finish();
            }
            ops.Finish();
        }
        eff.Finish();
        return (def, perOp);
    }
}
