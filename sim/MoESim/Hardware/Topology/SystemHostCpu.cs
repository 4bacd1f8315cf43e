namespace MoESim.Hardware.Topology;

/// <summary>One host CPU (socket) of a system with its device profile.</summary>
/// <param name="Index">Host CPU index across the system, 0..CPUs-1 (node by node).</param>
/// <param name="Name">Topology name, e.g. "cpu1" or "n1.cpu1".</param>
/// <param name="Machine">Server node it sits in, 0..machines-1.</param>
/// <param name="NodeIndex">Its vertex in <see cref="SystemTopology.Nodes"/>.</param>
/// <param name="Profile">Its compute and memory profile (kind cpu).</param>
public sealed record SystemHostCpu(int Index, string Name, int Machine, int NodeIndex, DeviceProfile Profile);
