using MoESim.Config;

namespace MoESim.Hardware.Topology;

/// <summary>
/// A node (server) profile as read: its accelerators (count and device profile: GPU, NPU or PIM),
/// optional host CPUs (count and a cpu device profile), NICs, switches, links, power and price.
/// <see cref="AddTo"/> instantiates it as one machine of a system.
/// </summary>
internal sealed record SystemNodeSpec(string Name, int AcceleratorCount, DeviceProfile Accelerator, int HostCpuCount, DeviceProfile? HostCpu,
    int NicCount, IReadOnlyList<SystemSwitchSpec> Switches, IReadOnlyList<SystemLinkSpec> Links, double PowerWatts, double PricePerHourUsd)
{
    public const string CpuGroup = "cpu";
    public const string NicGroup = "nic";

    /// <summary>Group names a switch may not take: the accelerator kinds, host CPUs and NICs.</summary>
    public static readonly string[] ReservedGroups = { "gpu", "npu", "pim", CpuGroup, NicGroup };

    /// <summary>Vertex name stem and link group of the accelerators: their device kind (gpu, npu or pim).</summary>
    public string AcceleratorGroup => Accelerator.Kind.ToString().ToLowerInvariant();

    /// <summary>Reads a node mapping; <paramref name="directory"/> resolves the device profile paths.</summary>
    public static SystemNodeSpec Read(YamlMapReader map, string directory)
    {
        var name = map.RequiredString("name");
        var oldGpus = map.Has("gpus");
        if (oldGpus)
        {
            map.OptionalMap("gpus"); // marks the key read: one error, not also "unknown field"
            map.KeyError("gpus", "the old layout: rename gpus: to accelerators: (same count and device; an accelerator may be a GPU, NPU or PIM device profile, its vertices named gpu0.., npu0.. or pim0.. by its kind; host CPUs go under host_cpus:) (see hardware-profiles/systems/README.md)");
        }
        var (acceleratorCount, accelerator) = ReadGroup(map, "accelerators", directory, required: !oldGpus);
        if (accelerator is { Kind: DeviceKind.Cpu })
            map.Error("accelerators", $"'{accelerator.Name}' is a cpu device profile: list CPUs under host_cpus: (accelerators are gpu, npu or pim profiles)");
        var (hostCpuCount, hostCpu) = ReadGroup(map, "host_cpus", directory, required: false);
        if (hostCpu is not null && hostCpu.Kind != DeviceKind.Cpu)
            map.Error("host_cpus", $"'{hostCpu.Name}' is a {hostCpu.Kind.ToString().ToLowerInvariant()} device profile: host CPUs need a kind: cpu profile");
        if (hostCpu is null) hostCpuCount = 0;
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
        return new SystemNodeSpec(name, acceleratorCount, accelerator is { Kind: not DeviceKind.Cpu } ? accelerator : Placeholder,
            hostCpuCount, hostCpu is { Kind: DeviceKind.Cpu } ? hostCpu : null, nicCount, switches, links, power, price);
    }

    /// <summary>Reads <c>key: {count, device}</c>; the device profile is null when absent or missing.</summary>
    private static (int Count, DeviceProfile? Device) ReadGroup(YamlMapReader map, string key, string directory, bool required)
    {
        var group = required ? map.RequiredMap(key) : map.OptionalMap(key);
        if (group is null) return (0, null);
        var count = group.RequiredInt("count", min: 1, max: 4096);
        DeviceProfile? device = null;
        var devicePath = group.RequiredString("device");
        if (devicePath.Length > 0)
        {
            var full = Path.Combine(directory, devicePath);
            if (File.Exists(full)) device = DeviceProfileLoader.Load(full);
            else group.Error("device", $"device profile '{devicePath}' not found (paths are relative to this file)");
        }
        group.Finish();
        return (count, device);
    }

    /// <summary>Reads <c>switches:</c>, reporting duplicate names and names that clash with the vertex groups.</summary>
    public static List<SystemSwitchSpec> ReadSwitches(YamlMapReader map)
    {
        var result = new List<SystemSwitchSpec>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in map.MapList("switches", required: false))
        {
            var sw = SystemSwitchSpec.Read(item);
            item.Finish();
            if (sw.Name.Contains('[', StringComparison.Ordinal) || ReservedGroups.Contains(sw.Name, StringComparer.Ordinal))
                item.Error("name", $"'{sw.Name}' is reserved or not a plain name (switch names may not contain '[' or be one of {string.Join(", ", ReservedGroups)})");
            else if (!seen.Add(sw.Name))
                item.Error("name", $"switch '{sw.Name}' is defined twice");
            else
                result.Add(sw);
        }
        return result;
    }

    /// <summary>
    /// Adds this node as machine <paramref name="machine"/> with vertex names prefixed by
    /// <paramref name="prefix"/>, and appends its accelerators, host CPUs and NICs to
    /// <paramref name="groups"/>. With host CPUs, accelerator i gets its device profile's host
    /// link to CPU i × CPUs / accelerators. Link errors are recorded on the spec's readers;
    /// returns false when there were any.
    /// </summary>
    public bool AddTo(SystemTopologyBuilder builder, int machine, string prefix, Dictionary<string, List<string>> groups, InputErrorList errors)
    {
        var accelerators = new List<string>(AcceleratorCount);
        var cpus = new List<string>(HostCpuCount);
        var local = new Dictionary<string, List<string>>(StringComparer.Ordinal) { [AcceleratorGroup] = accelerators, [CpuGroup] = cpus, [NicGroup] = new() };
        for (int i = 0; i < AcceleratorCount; i++)
        {
            var name = $"{prefix}{AcceleratorGroup}{i}";
            builder.AddAccelerator(name, machine, Accelerator);
            accelerators.Add(name);
        }
        for (int i = 0; i < HostCpuCount; i++)
        {
            var name = $"{prefix}{CpuGroup}{i}";
            builder.AddHostCpu(name, machine, HostCpu!);
            cpus.Add(name);
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
        if (cpus.Count > 0)
        {
            for (int i = 0; i < accelerators.Count; i++)
                builder.AddHostLink(accelerators[i], cpus[(int)((long)i * cpus.Count / accelerators.Count)]);
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
