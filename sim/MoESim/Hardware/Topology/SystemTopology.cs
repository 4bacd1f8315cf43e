namespace MoESim.Hardware.Topology;

/// <summary>
/// A multi-accelerator system: accelerators (GPUs, NPUs, PIM devices, each with its device
/// profile), host CPUs, NICs and switches joined by directed links, plus the route between every
/// ordered pair of accelerators. Immutable; built by
/// <see cref="SystemTopologyBuilder"/> (in code) or <see cref="SystemProfileLoader"/> (from YAML).
/// </summary>
/// <remarks>
/// Routing is shortest path in hops over directed links, where only NICs and switches forward
/// traffic (an accelerator or host CPU is never a transit hop: relaying through a peer GPU, as
/// NCCL's PXN does, is a policy, not the topology's default; and a host link is never a shortcut
/// between accelerators). Ties between equally short paths go to the path found
/// first in link order, so routes are deterministic. On a DGX node this gives GPU -> NVSwitch
/// -> GPU; between nodes GPU -> own NIC -> fabric -> peer's NIC -> GPU.
/// </remarks>
public sealed class SystemTopology
{
    private readonly int[] _routeStart;  // [src * gpus + dst] -> offset in _routeLinks; one extra entry
    private readonly int[] _routeLinks;
    private readonly int[] _hostCpuOf;   // device -> host CPU index, -1 for none

    internal SystemTopology(string name, int machines, IReadOnlyList<TopologyNode> nodes, IReadOnlyList<TopologyLink> links,
        IReadOnlyList<SystemDevice> devices, IReadOnlyList<SystemHostCpu> hostCpus, int[] hostCpuOf, double powerWatts, double pricePerHourUsd)
    {
        HostCpus = hostCpus;
        _hostCpuOf = hostCpuOf;
        Name = name;
        MachineCount = machines;
        Nodes = nodes;
        Links = links;
        Devices = devices;
        PowerWatts = powerWatts;
        PricePerHourUsd = pricePerHourUsd;
        (_routeStart, _routeLinks) = ComputeRoutes(nodes, links, devices);
    }

    /// <summary>System name, e.g. "dgx-h100-2node".</summary>
    public string Name { get; }

    /// <summary>Server nodes (machines) in the system, ≥ 1.</summary>
    public int MachineCount { get; }

    /// <summary>Every accelerator, host CPU, NIC and switch.</summary>
    public IReadOnlyList<TopologyNode> Nodes { get; }

    /// <summary>Every directed link.</summary>
    public IReadOnlyList<TopologyLink> Links { get; }

    /// <summary>Accelerators (GPUs, NPUs, PIM devices) in device-index order (node by node); host CPUs are not among them.</summary>
    public IReadOnlyList<SystemDevice> Devices { get; }

    /// <summary>Number of accelerators, ≥ 1.</summary>
    public int DeviceCount => Devices.Count;

    /// <summary>Host CPUs (sockets) in index order (node by node); empty when the profile names none.</summary>
    public IReadOnlyList<SystemHostCpu> HostCpus { get; }

    /// <summary>The host CPU accelerator <paramref name="device"/> is joined to by its host link; null when it has none.</summary>
    public SystemHostCpu? HostCpuOf(int device)
    {
        if ((uint)device >= (uint)Devices.Count) throw new ArgumentOutOfRangeException(nameof(device), device, $"no accelerator {device} (system has {Devices.Count})");
        int cpu = _hostCpuOf[device];
        return cpu < 0 ? null : HostCpus[cpu];
    }

    /// <summary>Whole-system power at full load, watts (≥ 0).</summary>
    public double PowerWatts { get; }

    /// <summary>Whole-system rental price, US dollars per hour (≥ 0).</summary>
    public double PricePerHourUsd { get; }

    /// <summary>Links (indices into <see cref="Links"/>) from GPU <paramref name="source"/> to GPU <paramref name="destination"/>; empty when they are the same GPU.</summary>
    public ReadOnlySpan<int> Route(int source, int destination)
    {
        int n = Devices.Count;
        if ((uint)source >= (uint)n) throw new ArgumentOutOfRangeException(nameof(source), source, $"no GPU {source} (system has {n})");
        if ((uint)destination >= (uint)n) throw new ArgumentOutOfRangeException(nameof(destination), destination, $"no GPU {destination} (system has {n})");
        int i = source * n + destination;
        return _routeLinks.AsSpan(_routeStart[i], _routeStart[i + 1] - _routeStart[i]);
    }

    /// <summary>Sum of the latencies on the route from <paramref name="source"/> to <paramref name="destination"/>, seconds.</summary>
    public double RouteLatencySeconds(int source, int destination)
    {
        double s = 0;
        foreach (int l in Route(source, destination)) s += Links[l].LatencySeconds;
        return s;
    }

    /// <summary>Smallest bandwidth on the route from <paramref name="source"/> to <paramref name="destination"/>, bytes/s; +∞ for a GPU to itself.</summary>
    public double RouteBandwidthBytesPerSecond(int source, int destination)
    {
        double b = double.PositiveInfinity;
        foreach (int l in Route(source, destination)) b = Math.Min(b, Links[l].BandwidthBytesPerSecond);
        return b;
    }

    /// <summary>Index of the vertex named <paramref name="name"/>, or -1.</summary>
    public int FindNode(string name)
    {
        foreach (var node in Nodes)
            if (string.Equals(node.Name, name, StringComparison.Ordinal)) return node.Index;
        return -1;
    }

    private static (int[] Start, int[] Links) ComputeRoutes(IReadOnlyList<TopologyNode> nodes, IReadOnlyList<TopologyLink> links, IReadOnlyList<SystemDevice> devices)
    {
        var outgoing = new List<int>[nodes.Count];
        for (int v = 0; v < nodes.Count; v++) outgoing[v] = new List<int>();
        foreach (var link in links) outgoing[link.From].Add(link.Index);

        int n = devices.Count;
        var start = new int[n * n + 1];
        var all = new List<int>();
        var viaLink = new int[nodes.Count];
        var queue = new Queue<int>();
        var path = new List<int>();
        for (int s = 0; s < n; s++)
        {
            // Breadth-first from the source accelerator; only NICs and switches are expanded further.
            Array.Fill(viaLink, -2);
            int source = devices[s].NodeIndex;
            viaLink[source] = -1;
            queue.Enqueue(source);
            while (queue.Count > 0)
            {
                int v = queue.Dequeue();
                if (v != source && nodes[v].Kind is not (TopologyNodeKind.Nic or TopologyNodeKind.Switch)) continue;
                foreach (int l in outgoing[v])
                {
                    int w = links[l].To;
                    if (viaLink[w] != -2) continue;
                    viaLink[w] = l;
                    queue.Enqueue(w);
                }
            }
            for (int d = 0; d < n; d++)
            {
                start[s * n + d] = all.Count;
                if (d == s) continue;
                int target = devices[d].NodeIndex;
                if (viaLink[target] == -2)
                    throw new ArgumentException($"no route from {devices[s].Name} to {devices[d].Name}: the topology is not connected");
                path.Clear();
                for (int v = target; v != source; v = links[viaLink[v]].From) path.Add(viaLink[v]);
                path.Reverse();
                all.AddRange(path);
            }
        }
        start[n * n] = all.Count;
        return (start, all.ToArray());
    }
}
