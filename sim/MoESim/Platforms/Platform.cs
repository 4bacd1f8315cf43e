using MoESim.Collectives;
using MoESim.Engine;
using MoESim.Hardware;
using MoESim.Hardware.Topology;

namespace MoESim.Platforms;

/// <summary>
/// The run-time form of a hardware profile (one device) or a system profile (many): every
/// compute unit of every device and host CPU, every memory tier and every link is an engine
/// resource on one <see cref="Engine.Simulator"/>. Step planners build task graphs over
/// <see cref="Resources"/>: compute-unit ids 0..devices−1 are the devices' primary units, then
/// come the devices' other units and the host CPUs' units (ids in <see cref="PlatformUnit.Id"/>);
/// network 0 is <see cref="HostLinks"/> (each device's host link, both directions, from its
/// profile), and for a system the topology's link groups follow (<see cref="Network"/>), whose
/// accelerator-to-accelerator routes collectives use.
/// </summary>
public sealed class Platform
{
    private Platform(string name, Simulator simulator, PlatformDevice[] devices, PlatformHostCpu[] hostCpus, FlowNetwork hostLinks,
        TopologyNetwork? network, ResourceSet resources)
    {
        Name = name;
        Simulator = simulator;
        Devices = devices;
        HostCpus = hostCpus;
        HostLinks = hostLinks;
        Network = network;
        Resources = resources;
    }

    /// <summary>Profile name of the device or system.</summary>
    public string Name { get; }

    /// <summary>The clock every resource runs on.</summary>
    public Simulator Simulator { get; }

    /// <summary>The devices, indexed as the system's accelerators.</summary>
    public IReadOnlyList<PlatformDevice> Devices { get; }

    /// <summary>The system's host CPUs (empty for one device or a system profile without <c>host_cpus:</c>).</summary>
    public IReadOnlyList<PlatformHostCpu> HostCpus { get; }

    /// <summary>Each device's host link (PCIe or the like), one engine link per direction.</summary>
    public FlowNetwork HostLinks { get; }

    /// <summary>The system's interconnect (NVLink, NICs, switches), or null for one device.</summary>
    public TopologyNetwork? Network { get; }

    /// <summary>Compute units and networks as a task graph addresses them.</summary>
    public ResourceSet Resources { get; }

    /// <summary>One device on <paramref name="simulator"/>; its unit records on <paramref name="timeline"/> when given.</summary>
    public static Platform ForDevice(DeviceProfile device, Simulator simulator, TimelineRecorder? timeline = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        var (hostLinks, resources) = HostLinksFirst(simulator, timeline);
        var devices = new[] { BuildDevice(0, device.Name, device, simulator, timeline, hostLinks, resources) };
        AddSecondaryUnits(devices, simulator, timeline, resources);
        return new Platform(device.Name, simulator, devices, [], hostLinks, null, resources);
    }

    /// <summary>
    /// Every accelerator of <paramref name="system"/> on <paramref name="simulator"/>, with the
    /// system's links installed as flow networks (<see cref="TopologyNetwork"/>).
    /// </summary>
    public static Platform ForSystem(SystemTopology system, Simulator simulator, TimelineRecorder? timeline = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        var (hostLinks, resources) = HostLinksFirst(simulator, timeline);
        var network = new TopologyNetwork(system, simulator, timeline);
        foreach (var group in network.Networks) resources.AddNetwork(group);
        var devices = new PlatformDevice[system.DeviceCount];
        foreach (var d in system.Devices)
            devices[d.Index] = BuildDevice(d.Index, d.Name, d.Profile, simulator, timeline, hostLinks, resources);
        AddSecondaryUnits(devices, simulator, timeline, resources);
        var hosts = new PlatformHostCpu[system.HostCpus.Count];
        foreach (var h in system.HostCpus)
        {
            hosts[h.Index] = new PlatformHostCpu
            {
                Index = h.Index,
                Name = h.Name,
                Profile = h.Profile,
                Units = h.Profile.Units.Select(u => NewUnit(u, $"{h.Name}/{u.Name}", simulator, timeline, resources)).ToArray(),
                MemoryTiers = Pools(h.Name, h.Profile),
            };
        }
        return new Platform(system.Name, simulator, devices, hosts, hostLinks, network, resources);
    }

    // Every platform's resource set starts with the host-link network (network id 0).
    private static (FlowNetwork HostLinks, ResourceSet Resources) HostLinksFirst(Simulator simulator, TimelineRecorder? timeline)
    {
        ArgumentNullException.ThrowIfNull(simulator);
        var hostLinks = new FlowNetwork(simulator, timeline);
        var resources = new ResourceSet(simulator);
        resources.AddNetwork(hostLinks);
        return (hostLinks, resources);
    }

    // The primary unit of a device, named as the device, takes the id equal to its index.
    private static PlatformDevice BuildDevice(int index, string name, DeviceProfile profile, Simulator simulator, TimelineRecorder? timeline,
        FlowNetwork hostLinks, ResourceSet resources)
    {
        var primary = NewUnit(profile.Units[0], name, simulator, timeline, resources);
        if (primary.Id != index)
            throw new InvalidOperationException($"device {name}: compute-unit id {primary.Id} differs from its index {index}");
        var link = profile.HostLink;
        var (toHost, fromHost) = hostLinks.AddDuplexLink($"{name}/host-link", link.BandwidthBytesPerSecondPerDirection, link.LatencySeconds);
        return new PlatformDevice
        {
            Index = index,
            Name = name,
            Profile = profile,
            Units = [primary],
            MemoryTiers = Pools(name, profile),
            ToHostLink = toHost,
            FromHostLink = fromHost,
        };
    }

    // Units after the primary (CUDA cores, a PIM unit), after every device's primary unit.
    private static void AddSecondaryUnits(PlatformDevice[] devices, Simulator simulator, TimelineRecorder? timeline, ResourceSet resources)
    {
        for (int d = 0; d < devices.Length; d++)
        {
            var units = devices[d].Profile.Units;
            if (units.Count == 1) continue;
            var all = new List<PlatformUnit>(devices[d].Units);
            for (int u = 1; u < units.Count; u++)
                all.Add(NewUnit(units[u], $"{devices[d].Name}/{units[u].Name}", simulator, timeline, resources));
            devices[d] = devices[d] with { Units = all };
        }
    }

    private static PlatformUnit NewUnit(ComputeUnitProfile profile, string name, Simulator simulator, TimelineRecorder? timeline, ResourceSet resources)
    {
        var unit = new ComputeUnit(simulator, name, streams: 1, timeline);
        return new PlatformUnit { Profile = profile, Unit = unit, Id = resources.AddComputeUnit(unit) };
    }

    private static MemoryPool[] Pools(string name, DeviceProfile profile)
    {
        var pools = new MemoryPool[profile.MemoryTiers.Count];
        for (int t = 0; t < pools.Length; t++)
        {
            var tier = profile.MemoryTiers[t];
            pools[t] = new MemoryPool($"{name}/{tier.Name}", (long)Math.Min(tier.CapacityBytes, long.MaxValue / 2.0));
        }
        return pools;
    }
}
