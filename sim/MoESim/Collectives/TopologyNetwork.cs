using MoESim.Engine;
using MoESim.Hardware.Topology;

namespace MoESim.Collectives;

/// <summary>
/// A system topology installed in a <see cref="FlowNetwork"/>: every directed topology link
/// becomes one engine link (same order), and GPU-to-GPU routes are translated to engine link
/// indices once, so collectives start flows without any per-flow lookup or allocation.
/// </summary>
public sealed class TopologyNetwork
{
    private readonly int _firstLink;
    private readonly int[] _routeStart;
    private readonly int[] _routeLinks;

    /// <summary>Adds <paramref name="topology"/>'s links to <paramref name="network"/> (running on <paramref name="simulator"/>; no flows in flight).</summary>
    public TopologyNetwork(SystemTopology topology, Simulator simulator, FlowNetwork network)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(simulator);
        ArgumentNullException.ThrowIfNull(network);
        Topology = topology;
        Simulator = simulator;
        Network = network;
        _firstLink = network.Links.Count;
        foreach (var link in topology.Links)
            network.AddLink(link.Name, link.BandwidthBytesPerSecond, link.LatencySeconds);
        int n = topology.DeviceCount;
        _routeStart = new int[n * n + 1];
        var all = new List<int>();
        for (int s = 0; s < n; s++)
        {
            for (int d = 0; d < n; d++)
            {
                _routeStart[s * n + d] = all.Count;
                foreach (int l in topology.Route(s, d)) all.Add(_firstLink + l);
            }
        }
        _routeStart[n * n] = all.Count;
        _routeLinks = all.ToArray();
    }

    /// <summary>The topology.</summary>
    public SystemTopology Topology { get; }

    /// <summary>The simulator the network runs on.</summary>
    public Simulator Simulator { get; }

    /// <summary>A fresh simulator and flow network with <paramref name="topology"/> installed.</summary>
    public static TopologyNetwork Create(SystemTopology topology, TimelineRecorder? timeline = null)
    {
        var sim = new Simulator();
        return new TopologyNetwork(topology, sim, new FlowNetwork(sim, timeline));
    }

    /// <summary>The engine network the links live in.</summary>
    public FlowNetwork Network { get; }

    /// <summary>GPUs in the system.</summary>
    public int DeviceCount => Topology.DeviceCount;

    /// <summary>Engine link indices from GPU <paramref name="source"/> to GPU <paramref name="destination"/>; empty for a GPU to itself.</summary>
    public ReadOnlySpan<int> Route(int source, int destination)
    {
        int i = source * Topology.DeviceCount + destination;
        return _routeLinks.AsSpan(_routeStart[i], _routeStart[i + 1] - _routeStart[i]);
    }

    /// <summary>The engine link for topology link <paramref name="topologyLinkIndex"/>.</summary>
    public Link LinkOf(int topologyLinkIndex) => Network.Links[_firstLink + topologyLinkIndex];

    /// <summary>Payload bytes carried by links that start or end at a vertex of <paramref name="kind"/> (e.g. NIC traffic).</summary>
    public long BytesCarriedTouching(TopologyNodeKind kind)
    {
        long sum = 0;
        foreach (var link in Topology.Links)
        {
            if (Topology.Nodes[link.From].Kind == kind || Topology.Nodes[link.To].Kind == kind)
                sum += LinkOf(link.Index).BytesCarried;
        }
        return sum;
    }
}
