namespace MoESim.Hardware.Topology;

/// <summary>
/// Builds a <see cref="SystemTopology"/> in code: add GPUs, NICs and switches, join them with
/// duplex links, then <see cref="Build"/>. GPUs get device indices in the order they are added.
/// Misuse (duplicate names, unknown vertices, bad numbers) throws <see cref="ArgumentException"/>;
/// the YAML loader reports the same problems as input errors before calling this.
/// </summary>
public sealed class SystemTopologyBuilder
{
    private readonly List<TopologyNode> _nodes = new();
    private readonly List<TopologyLink> _links = new();
    private readonly List<SystemDevice> _devices = new();
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<int, double> _switchLatency = new();
    private int _machines = 1;

    /// <summary>Adds a GPU in <paramref name="machine"/> (≥ 0); returns its vertex index.</summary>
    public int AddGpu(string name, int machine, DeviceProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        int v = AddNode(name, TopologyNodeKind.Gpu, machine, _devices.Count);
        _devices.Add(new SystemDevice(_devices.Count, name, machine, v, profile));
        return v;
    }

    /// <summary>Adds a NIC in <paramref name="machine"/> (≥ 0); returns its vertex index.</summary>
    public int AddNic(string name, int machine) => AddNode(name, TopologyNodeKind.Nic, machine, -1);

    /// <summary>
    /// Adds a non-blocking switch with traversal latency <paramref name="latencySeconds"/> (≥ 0),
    /// charged on every link into it; <paramref name="machine"/> is -1 for a fabric switch.
    /// </summary>
    public int AddSwitch(string name, int machine, double latencySeconds)
    {
        if (!(latencySeconds >= 0) || double.IsInfinity(latencySeconds))
            throw new ArgumentOutOfRangeException(nameof(latencySeconds), latencySeconds, "switch latency must be non-negative and finite");
        int v = AddNode(name, TopologyNodeKind.Switch, machine, -1);
        _switchLatency[v] = latencySeconds;
        return v;
    }

    /// <summary>
    /// Joins <paramref name="a"/> and <paramref name="b"/> (vertex names) with a duplex link of
    /// <paramref name="bandwidthBytesPerSecond"/> (&gt; 0) per direction and
    /// <paramref name="latencySeconds"/> (≥ 0) per direction, named <c>kind:a&gt;b</c> and <c>kind:b&gt;a</c>.
    /// </summary>
    public void AddDuplexLink(string kind, string a, string b, double bandwidthBytesPerSecond, double latencySeconds)
    {
        if (!(bandwidthBytesPerSecond > 0) || double.IsInfinity(bandwidthBytesPerSecond))
            throw new ArgumentOutOfRangeException(nameof(bandwidthBytesPerSecond), bandwidthBytesPerSecond, "bandwidth must be positive and finite");
        if (!(latencySeconds >= 0) || double.IsInfinity(latencySeconds))
            throw new ArgumentOutOfRangeException(nameof(latencySeconds), latencySeconds, "latency must be non-negative and finite");
        int va = Vertex(a), vb = Vertex(b);
        if (va == vb) throw new ArgumentException($"link {kind} joins {a} to itself");
        AddDirected(kind, va, vb, bandwidthBytesPerSecond, latencySeconds);
        AddDirected(kind, vb, va, bandwidthBytesPerSecond, latencySeconds);
    }

    /// <summary>True when a vertex of that name exists.</summary>
    public bool Has(string name) => _byName.ContainsKey(name);

    /// <summary>Builds the topology; throws when it has no GPU or some GPU cannot reach another.</summary>
    public SystemTopology Build(string name, double powerWatts, double pricePerHourUsd)
    {
        if (_devices.Count == 0) throw new ArgumentException("a system needs at least one GPU");
        return new SystemTopology(name, _machines, _nodes.ToArray(), _links.ToArray(), _devices.ToArray(), powerWatts, pricePerHourUsd);
    }

    private int AddNode(string name, TopologyNodeKind kind, int machine, int gpuIndex)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (machine < -1) throw new ArgumentOutOfRangeException(nameof(machine), machine, "machine must be ≥ 0 (or -1 for a fabric switch)");
        if (_byName.ContainsKey(name)) throw new ArgumentException($"a vertex named {name} already exists", nameof(name));
        int v = _nodes.Count;
        _nodes.Add(new TopologyNode(v, name, kind, machine, gpuIndex));
        _byName[name] = v;
        _machines = Math.Max(_machines, machine + 1);
        return v;
    }

    private int Vertex(string name) =>
        _byName.TryGetValue(name, out int v) ? v : throw new ArgumentException($"no vertex named {name}", nameof(name));

    private void AddDirected(string kind, int from, int to, double bandwidth, double latency)
    {
        double extra = _switchLatency.TryGetValue(to, out double s) ? s : 0;
        _links.Add(new TopologyLink(_links.Count, $"{kind}:{_nodes[from].Name}>{_nodes[to].Name}", from, to, bandwidth, latency + extra));
    }
}
