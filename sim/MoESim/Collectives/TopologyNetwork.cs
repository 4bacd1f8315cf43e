using MoESim.Engine;
using MoESim.Hardware.Topology;

namespace MoESim.Collectives;

/// <summary>
/// A system topology installed in the flow engine. Links are split into independent groups: two
/// links are in one group when some GPU-to-GPU route crosses both (union-find over the routes),
/// and each group gets its own <see cref="FlowNetwork"/> on the shared simulator. Flows of
/// different groups can never share a link, so max-min fair rates decompose exactly by group;
/// the split only saves work (on a DGX cluster each node's NVLink domain and the PCIe/IB fabric
/// re-solve rates separately). Routes are translated to engine link indices once, so starting a
/// flow needs no lookup or allocation.
/// </summary>
public sealed class TopologyNetwork
{
    private readonly FlowNetwork[] _networks;
    private readonly int[] _linkGroup;     // topology link -> group
    private readonly int[] _linkIndex;     // topology link -> index in its group's network
    private readonly int[] _pairGroup;     // [src * n + dst] -> group, -1 for a GPU to itself
    private readonly int[] _routeStart;
    private readonly int[] _routeLinks;
    private RouteDecomposition? _decomposition;

    /// <summary>Installs <paramref name="topology"/> on <paramref name="simulator"/>; flows are recorded on <paramref name="timeline"/> when given.</summary>
    public TopologyNetwork(SystemTopology topology, Simulator simulator, TimelineRecorder? timeline = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(simulator);
        Topology = topology;
        Simulator = simulator;
        int n = topology.DeviceCount;
        int links = topology.Links.Count;

        var parent = Enumerable.Range(0, links).ToArray();
        int Find(int x)
        {
            while (parent[x] != x) x = parent[x] = parent[parent[x]];
            return x;
        }
        for (int s = 0; s < n; s++)
        {
            for (int d = 0; d < n; d++)
            {
                var route = topology.Route(s, d);
                for (int i = 1; i < route.Length; i++) parent[Find(route[i])] = Find(route[0]);
            }
        }
        // Groups numbered in order of their first link, so the layout is deterministic.
        var groupOfRoot = new Dictionary<int, int>();
        _linkGroup = new int[links];
        _linkIndex = new int[links];
        var networks = new List<FlowNetwork>();
        foreach (var link in topology.Links)
        {
            int root = Find(link.Index);
            if (!groupOfRoot.TryGetValue(root, out int g))
            {
                g = groupOfRoot[root] = networks.Count;
                networks.Add(new FlowNetwork(simulator, timeline));
            }
            _linkGroup[link.Index] = g;
            _linkIndex[link.Index] = networks[g].AddLink(link.Name, link.BandwidthBytesPerSecond, link.LatencySeconds);
        }
        _networks = networks.ToArray();

        _pairGroup = new int[n * n];
        _routeStart = new int[n * n + 1];
        var all = new List<int>();
        for (int s = 0; s < n; s++)
        {
            for (int d = 0; d < n; d++)
            {
                int i = s * n + d;
                _routeStart[i] = all.Count;
                var route = topology.Route(s, d);
                _pairGroup[i] = route.IsEmpty ? -1 : _linkGroup[route[0]];
                foreach (int l in route) all.Add(_linkIndex[l]);
            }
        }
        _routeStart[n * n] = all.Count;
        _routeLinks = all.ToArray();
    }

    /// <summary>A fresh simulator with <paramref name="topology"/> installed.</summary>
    public static TopologyNetwork Create(SystemTopology topology, TimelineRecorder? timeline = null) =>
        new(topology, new Simulator(), timeline);

    /// <summary>The topology.</summary>
    public SystemTopology Topology { get; }

    /// <summary>The simulator the flows run on.</summary>
    public Simulator Simulator { get; }

    /// <summary>The independent link groups' flow networks.</summary>
    public IReadOnlyList<FlowNetwork> Networks => _networks;

    /// <summary>GPUs in the system.</summary>
    public int DeviceCount => Topology.DeviceCount;

    /// <summary>Rate re-solves over all groups so far (a cost indicator).</summary>
    public long RateSolves
    {
        get
        {
            long sum = 0;
            foreach (var net in _networks) sum += net.RateSolves;
            return sum;
        }
    }

    /// <summary>
    /// Starts a flow of <paramref name="bytes"/> (&gt; 0) from GPU <paramref name="source"/> to a
    /// different GPU <paramref name="destination"/> over its route; <paramref name="onDone"/>
    /// receives (<paramref name="kind"/>, <paramref name="a0"/>, <paramref name="a1"/>) on arrival.
    /// </summary>
    public void StartFlow(int source, int destination, long bytes, IEventTarget onDone, int kind, long a0 = 0, long a1 = 0)
    {
        int n = Topology.DeviceCount;
        if ((uint)source >= (uint)n || (uint)destination >= (uint)n || source == destination)
            throw new ArgumentOutOfRangeException(nameof(destination), $"flow {source} -> {destination} needs two different GPUs in 0..{n - 1}");
        int i = source * n + destination;
        _networks[_pairGroup[i]].StartFlow(bytes, _routeLinks.AsSpan(_routeStart[i], _routeStart[i + 1] - _routeStart[i]), onDone, kind, a0, a1);
    }

    /// <summary>The topology's routes split at their apex switch, for per-device aggregated loads (built on first use, shared by the network's collectives).</summary>
    internal RouteDecomposition Decomposition => _decomposition ??= new RouteDecomposition(Topology);

    /// <summary>The engine link for topology link <paramref name="topologyLinkIndex"/>.</summary>
    public Link LinkOf(int topologyLinkIndex) => _networks[_linkGroup[topologyLinkIndex]].Links[_linkIndex[topologyLinkIndex]];

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
