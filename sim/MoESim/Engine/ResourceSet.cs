namespace MoESim.Engine;

/// <summary>
/// The engine resources a <see cref="TaskGraphExecutor"/> runs tasks on: compute units and flow
/// networks, each addressed by its index in this set (the ids a <see cref="TaskGraph"/> uses).
/// Resources are only added, never removed, so ids stay valid. All resources must belong to
/// <see cref="Simulator"/>.
/// </summary>
public sealed class ResourceSet
{
    private readonly List<ComputeUnit> _computeUnits = new();
    private readonly List<FlowNetwork> _networks = new();

    /// <summary>Creates an empty set on <paramref name="sim"/>.</summary>
    public ResourceSet(Simulator sim)
    {
        ArgumentNullException.ThrowIfNull(sim);
        Simulator = sim;
    }

    /// <summary>Creates a set holding <paramref name="computeUnits"/> (ids 0, 1, ...) and <paramref name="networks"/> (ids 0, 1, ...).</summary>
    public ResourceSet(Simulator sim, IEnumerable<ComputeUnit> computeUnits, IEnumerable<FlowNetwork> networks)
        : this(sim)
    {
        ArgumentNullException.ThrowIfNull(computeUnits);
        ArgumentNullException.ThrowIfNull(networks);
        foreach (var unit in computeUnits)
            AddComputeUnit(unit);
        foreach (var network in networks)
            AddNetwork(network);
    }

    /// <summary>The simulator every resource schedules on.</summary>
    public Simulator Simulator { get; }

    /// <summary>Compute units, indexed by compute-unit id.</summary>
    public IReadOnlyList<ComputeUnit> ComputeUnits => _computeUnits;

    /// <summary>Flow networks, indexed by network id.</summary>
    public IReadOnlyList<FlowNetwork> Networks => _networks;

    /// <summary>Adds <paramref name="unit"/> and returns its compute-unit id (0, 1, ... in order of adding).</summary>
    public int AddComputeUnit(ComputeUnit unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        _computeUnits.Add(unit);
        return _computeUnits.Count - 1;
    }

    /// <summary>Adds <paramref name="network"/> and returns its network id (0, 1, ... in order of adding).</summary>
    public int AddNetwork(FlowNetwork network)
    {
        ArgumentNullException.ThrowIfNull(network);
        _networks.Add(network);
        return _networks.Count - 1;
    }

    // Direct list access for the executor's hot path (no interface dispatch on the indexer).
    internal ComputeUnit ComputeUnitAt(int id) => _computeUnits[id];

    internal FlowNetwork NetworkAt(int id) => _networks[id];
}
