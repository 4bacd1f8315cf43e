namespace MoESim.Placement;

/// <summary>
/// The devices experts are placed on, as placement sees them: how many, how they group into
/// nodes, the per-device bandwidth of all-to-all traffic inside and between nodes, and memory
/// for expert weights.
/// </summary>
public sealed record PlacementSystem
{
    /// <summary>Name for reports, e.g. "dgx-h100-x2".</summary>
    public required string Name { get; init; }

    /// <summary>Devices, ≥ 1.</summary>
    public required int NumDevices { get; init; }

    /// <summary>Devices per node (1..NumDevices, dividing it); device d sits in node d / DevicesPerNode.</summary>
    public required int DevicesPerNode { get; init; }

    /// <summary>Bandwidth one device sends (and, separately, receives) to other devices of its node, bytes/s, &gt; 0.</summary>
    public required double IntraNodeBytesPerSecond { get; init; }

    /// <summary>Bandwidth one device sends (and receives) to devices of other nodes, bytes/s, &gt; 0.</summary>
    public required double InterNodeBytesPerSecond { get; init; }

    /// <summary>Bytes each device can give to routed-expert weights, &gt; 0.</summary>
    public required double ExpertMemoryBytesPerDevice { get; init; }

    /// <summary>Node of a device.</summary>
    public int NodeOf(int device) => device / DevicesPerNode;

    /// <summary>Throws <see cref="ArgumentException"/> when a field is out of range.</summary>
    public void Validate()
    {
        if (NumDevices < 1) throw new ArgumentException($"{Name}: needs at least one device");
        if (DevicesPerNode < 1 || NumDevices % DevicesPerNode != 0) throw new ArgumentException($"{Name}: {DevicesPerNode} devices per node does not divide {NumDevices} devices");
        if (!(IntraNodeBytesPerSecond > 0) || !(InterNodeBytesPerSecond > 0)) throw new ArgumentException($"{Name}: link bandwidths must be positive");
        if (!(ExpertMemoryBytesPerDevice > 0)) throw new ArgumentException($"{Name}: expert memory must be positive");
    }
}
