using MoESim.Config;

namespace MoESim.Hardware.Topology;

/// <summary>
/// A node (server) profile as read: its GPUs (count and device profile), NICs, switches, links,
/// power and price. <see cref="AddTo"/> instantiates it as one machine of a system.
/// </summary>
internal sealed record SystemNodeSpec(string Name, int GpuCount, DeviceProfile Device, int NicCount,
    IReadOnlyList<SystemSwitchSpec> Switches, IReadOnlyList<SystemLinkSpec> Links, double PowerWatts, double PricePerHourUsd)
{
    public const string GpuGroup = "gpu";
    public const string NicGroup = "nic";

    /// <summary>Reads a node mapping; <paramref name="directory"/> resolves the device profile path.</summary>
    public static SystemNodeSpec Read(YamlMapReader map, string directory)
    {
        var name = map.RequiredString("name");
        int gpuCount = 1;
        DeviceProfile? device = null;
        var gpus = map.RequiredMap("gpus");
        if (gpus is not null)
        {
            gpuCount = gpus.RequiredInt("count", min: 1, max: 4096);
            var devicePath = gpus.RequiredString("device");
            if (devicePath.Length > 0)
            {
                var full = Path.Combine(directory, devicePath);
                if (File.Exists(full)) device = DeviceProfileLoader.Load(full);
                else gpus.Error("device", $"device profile '{devicePath}' not found (paths are relative to this file)");
            }
            gpus.Finish();
        }
        int nicCount = 0;
        var nics = map.OptionalMap("nics");
        if (nics is not null)
        {
            nicCount = nics.RequiredInt("count", min: 1, max: 4096);
            nics.Finish();
        }
        var switches = ReadSwitches(map);
        var links = new List<SystemLinkSpec>();
        foreach (var item in map.MapList("links", required: true))
        {
            links.Add(SystemLinkSpec.Read(item));
            item.Finish();
        }
        var power = map.RequiredDouble("power_watts");
        var price = map.RequiredDouble("price_per_hour_usd", positive: false);
        return new SystemNodeSpec(name, gpuCount, device ?? Placeholder, nicCount, switches, links, power, price);
    }

    /// <summary>Reads <c>switches:</c>, reporting duplicate names and names that clash with the GPU/NIC groups.</summary>
    public static List<SystemSwitchSpec> ReadSwitches(YamlMapReader map)
    {
        var result = new List<SystemSwitchSpec>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in map.MapList("switches", required: false))
        {
            var sw = SystemSwitchSpec.Read(item);
            item.Finish();
            if (sw.Name.Contains('[', StringComparison.Ordinal) || sw.Name is GpuGroup or NicGroup)
                item.Error("name", $"'{sw.Name}' is reserved or not a plain name (switch names may not contain '[' or be 'gpu'/'nic')");
            else if (!seen.Add(sw.Name))
                item.Error("name", $"switch '{sw.Name}' is defined twice");
            else
                result.Add(sw);
        }
        return result;
    }

    /// <summary>
    /// Adds this node as machine <paramref name="machine"/> with vertex names prefixed by
    /// <paramref name="prefix"/>, and appends its GPUs and NICs to <paramref name="groups"/>.
    /// Link errors are recorded on the spec's readers; returns false when there were any.
    /// </summary>
    public bool AddTo(SystemTopologyBuilder builder, int machine, string prefix, Dictionary<string, List<string>> groups, InputErrorList errors)
    {
        var local = new Dictionary<string, List<string>>(StringComparer.Ordinal) { [GpuGroup] = new(), [NicGroup] = new() };
        for (int i = 0; i < GpuCount; i++)
        {
            var name = $"{prefix}gpu{i}";
            builder.AddGpu(name, machine, Device);
            local[GpuGroup].Add(name);
        }
        for (int i = 0; i < NicCount; i++)
        {
            var name = $"{prefix}nic{i}";
            builder.AddNic(name, machine);
            local[NicGroup].Add(name);
        }
        var singles = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sw in Switches)
        {
            builder.AddSwitch(prefix + sw.Name, machine, sw.LatencySeconds);
            singles.Add(sw.Name);
        }
        int before = errors.Count;
        foreach (var link in Links)
        {
            foreach (var (a, b) in link.Pairs(p => Prefixed(SystemLinkSpec.Expand(p, local, singles), prefix)))
                builder.AddDuplexLink(link.Kind, a, b, link.BandwidthBytesPerSecond, link.LatencySeconds);
        }
        foreach (var (group, members) in local)
        {
            if (!groups.TryGetValue(group, out var all)) groups[group] = all = new List<string>();
            all.AddRange(members);
        }
        return errors.Count == before;
    }

    // Group members are already prefixed; switch names are stored bare and prefixed here.
    private static IReadOnlyList<string>? Prefixed(IReadOnlyList<string>? names, string prefix)
    {
        if (names is null || prefix.Length == 0) return names;
        var result = new string[names.Count];
        for (int i = 0; i < names.Count; i++)
            result[i] = names[i].StartsWith(prefix, StringComparison.Ordinal) ? names[i] : prefix + names[i];
        return result;
    }

    // Stands in for a device profile that failed to load, so reading continues and reports every error.
    private static readonly DeviceProfile Placeholder = new()
    {
        Name = "?", Kind = DeviceKind.Gpu,
        PeakFlopsPerSecond = new Dictionary<Units.DataType, double> { [Units.DataType.Bf16] = 1 },
        MemoryTiers = new[] { new MemoryTier { Name = "?", CapacityBytes = 1, BandwidthBytesPerSecond = 1 } },
        HostLink = new HostLink { Name = "?", BandwidthBytesPerSecondPerDirection = 1, LatencySeconds = 0 },
        KernelLaunchOverheadSeconds = 0, PowerWatts = 0, PricePerHourUsd = 0,
        DefaultEfficiency = new Efficiency { Compute = 1, Memory = 1 },
        OperatorEfficiency = new Dictionary<string, Efficiency>(),
    };
}
