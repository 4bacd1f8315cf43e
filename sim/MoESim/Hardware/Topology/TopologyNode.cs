namespace MoESim.Hardware.Topology;

/// <summary>One vertex of a system topology: an accelerator, a host CPU, a NIC or a switch.</summary>
/// <param name="Index">Position in <see cref="SystemTopology.Nodes"/>.</param>
/// <param name="Name">Unique name, e.g. "gpu3" in a node, "n1.gpu3", "n1.cpu0" or "ib-switch" in a cluster.</param>
/// <param name="Kind">Accelerator kind (GPU, NPU, PIM), host CPU, NIC or switch.</param>
/// <param name="Machine">Machine (server node) it belongs to, 0..machines-1; -1 for fabric-wide switches.</param>
/// <param name="GpuIndex">For an accelerator, its device index 0..accelerators-1 across the system (<see cref="SystemTopology.Devices"/>); otherwise -1.</param>
public sealed record TopologyNode(int Index, string Name, TopologyNodeKind Kind, int Machine, int GpuIndex);
