namespace MoESim.Hardware.Topology;

/// <summary>
/// Builds a <see cref="SystemTopology"/> in code: add accelerators (GPUs, NPUs, PIM devices),
/// host CPUs, NICs and switches, join them with duplex links, then <see cref="Build"/>.
/// Accelerators get device indices in the order they are added, host CPUs their own indices.
/// Host links (<see cref="AddHostLink"/>) are placed after every other link, so adding host CPUs
/// leaves every other link's index unchanged. Misuse (duplicate names, unknown vertices, bad
/// numbers) throws <see cref="ArgumentException"/>; the YAML loader reports the same problems as
/// input errors before calling this.
/// </summary>
public sealed class SystemTopologyBuilder
{
    private readonly List<TopologyNode> _nodes = new();
    private readonly List<TopologyLink> _links = new();
    private readonly List<SystemDevice> _devices = new();
    private readonly List<SystemHostCpu> _hostCpus = new();
    private readonly List<(int Device, int HostCpu)> _hostLinks = new();
    private readonly Dictionary<string, int> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<int, double> _switchLatency = new();
    private int _machines = 1;

    /// <summary>Adds a GPU in <paramref name="machine"/> (≥ 0); returns its vertex index.</summary>
    public int AddGpu(string name, int machine, DeviceProfile profile) => AddDevice(name, TopologyNodeKind.Gpu, machine, profile);

    /// <summary>
    /// Adds an accelerator in <paramref name="machine"/> (≥ 0) whose vertex kind follows its
    /// profile (gpu, npu or pim; a cpu profile is a host CPU, see <see cref="AddHostCpu"/>); returns its vertex index.
    /// </summary>
    public int AddAccelerator(string name, int machine, DeviceProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return AddDevice(name, AcceleratorVertexKind(profile.Kind), machine, profile);
    }

    /// <summary>The vertex kind of an accelerator of device kind <paramref name="kind"/>; a CPU is not an accelerator.</summary>
    public static TopologyNodeKind AcceleratorVertexKind(DeviceKind kind) => kind switch
    {
        DeviceKind.Gpu => TopologyNodeKind.Gpu,
        DeviceKind.Npu => TopologyNodeKind.Npu,
        DeviceKind.Pim => TopologyNodeKind.Pim,
        _ => throw new ArgumentException($"a {kind} device profile is not an accelerator (CPUs are host CPUs)", nameof(kind)),
    };

    /// <summary>Adds a host CPU (a cpu profile) in <paramref name="machine"/> (≥ 0); returns its vertex index.</summary>
    public int AddHostCpu(string name, int machine, DeviceProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        if (profile.Kind != DeviceKind.Cpu)
            throw new ArgumentException($"host CPU {name} needs a cpu device profile, got {profile.Name} of kind {profile.Kind}", nameof(profile));
        int v = AddNode(name, TopologyNodeKind.HostCpu, machine, -1);
        _hostCpus.Add(new SystemHostCpu(_hostCpus.Count, name, machine, v, profile));
        return v;
    }

    /// <summary>
    /// Joins accelerator <paramref name="accelerator"/> to host CPU <paramref name="hostCpu"/>
    /// (vertex names) with the accelerator profile's host link (bandwidth per direction and
    /// latency), named <c>host_link:a&gt;b</c>; an accelerator has at most one host CPU.
    /// </summary>
    public void AddHostLink(string accelerator, string hostCpu)
    {
        int device = _nodes[Vertex(accelerator)].GpuIndex;
        if (device < 0) throw new ArgumentException($"{accelerator} is not an accelerator", nameof(accelerator));
        int cpu = _hostCpus.FindIndex(c => string.Equals(c.Name, hostCpu, StringComparison.Ordinal));
        if (cpu < 0) throw new ArgumentException($"{hostCpu} is not a host CPU", nameof(hostCpu));
        if (_hostLinks.Exists(h => h.Device == device))
            throw new ArgumentException($"{accelerator} already has a host CPU", nameof(accelerator));
        _hostLinks.Add((device, cpu));
    }

    private int AddDevice(string name, TopologyNodeKind kind, int machine, DeviceProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        int v = AddNode(name, kind, machine, _devices.Count);
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

    /// <summary>Builds the topology; throws when it has no accelerator or some accelerator cannot reach another.</summary>
    public SystemTopology Build(string name, double powerWatts, double pricePerHourUsd)
    {
        if (_devices.Count == 0) throw new ArgumentException("a system needs at least one accelerator");
        var links = new List<TopologyLink>(_links.Count + 2 * _hostLinks.Count);
        links.AddRange(_links);
        var hostCpuOf = new int[_devices.Count];
        Array.Fill(hostCpuOf, -1);
        foreach (var (device, cpu) in _hostLinks)
        {
            var link = _devices[device].Profile.HostLink;
            int a = _devices[device].NodeIndex, c = _hostCpus[cpu].NodeIndex;
            links.Add(new TopologyLink(links.Count, $"{HostLinkKind}:{_nodes[a].Name}>{_nodes[c].Name}", a, c, link.BandwidthBytesPerSecondPerDirection, link.LatencySeconds));
            links.Add(new TopologyLink(links.Count, $"{HostLinkKind}:{_nodes[c].Name}>{_nodes[a].Name}", c, a, link.BandwidthBytesPerSecondPerDirection, link.LatencySeconds));
            hostCpuOf[device] = cpu;
        }
        return new SystemTopology(name, _machines, _nodes.ToArray(), links.ToArray(), _devices.ToArray(), _hostCpus.ToArray(), hostCpuOf, powerWatts, pricePerHourUsd);
    }

    /// <summary>Link kind (name prefix) of the accelerator-to-host-CPU links.</summary>
    public const string HostLinkKind = "host_link";

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
