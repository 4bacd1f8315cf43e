using MoESim.Collectives;
using MoESim.Engine;
using MoESim.Hardware;
using MoESim.Hardware.Topology;

namespace MoESim.Platforms;

/// <summary>
/// The run-time form of a hardware profile (one device) or a system profile (many): every
/// device's compute unit, every memory tier and every link is an engine resource on one
/// <see cref="Engine.Simulator"/>. Step planners build task graphs over
/// <see cref="Resources"/>: compute-unit ids are device indices, network 0 is
/// <see cref="HostLinks"/> (each device's host link, both directions), and for a system the
/// topology's link groups follow (<see cref="Network"/>), whose GPU-to-GPU routes collectives use.
/// </summary>
public sealed class Platform
{
    private Platform(string name, Simulator simulator, PlatformDevice[] devices, FlowNetwork hostLinks, TopologyNetwork? network, ResourceSet resources)
    {
        Name = name;
        Simulator = simulator;
        Devices = devices;
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
        return new Platform(device.Name, simulator, devices, hostLinks, null, resources);
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
        return new Platform(system.Name, simulator, devices, hostLinks, network, resources);
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

    private static PlatformDevice BuildDevice(int index, string name, DeviceProfile profile, Simulator simulator, TimelineRecorder? timeline,
        FlowNetwork hostLinks, ResourceSet resources)
    {
        var unit = new ComputeUnit(simulator, name, streams: 1, timeline);
        int unitId = resources.AddComputeUnit(unit);
        if (unitId != index)
            throw new InvalidOperationException($"device {name}: compute-unit id {unitId} differs from its index {index}");
        var tiers = new MemoryPool[profile.MemoryTiers.Count];
        for (int t = 0; t < tiers.Length; t++)
        {
            var tier = profile.MemoryTiers[t];
            tiers[t] = new MemoryPool($"{name}/{tier.Name}", (long)Math.Min(tier.CapacityBytes, long.MaxValue / 2.0));
        }
        var link = profile.HostLink;
        var (toHost, fromHost) = hostLinks.AddDuplexLink($"{name}/host-link", link.BandwidthBytesPerSecondPerDirection, link.LatencySeconds);
        return new PlatformDevice
        {
            Index = index,
            Name = name,
            Profile = profile,
            Compute = unit,
            ComputeUnitId = unitId,
            MemoryTiers = tiers,
            ToHostLink = toHost,
            FromHostLink = fromHost,
        };
    }
}
