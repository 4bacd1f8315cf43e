namespace MoESim.Hardware.Topology;

/// <summary>One accelerator (GPU, NPU or PIM device) of a system with its device profile.</summary>
/// <param name="Index">Device index across the system, 0..accelerators-1 (node by node).</param>
/// <param name="Name">Topology name, e.g. "gpu3", "npu3" or "n1.gpu3".</param>
/// <param name="Machine">Server node it sits in, 0..machines-1.</param>
/// <param name="NodeIndex">Its vertex in <see cref="SystemTopology.Nodes"/>.</param>
/// <param name="Profile">Its compute and memory profile.</param>
public sealed record SystemDevice(int Index, string Name, int Machine, int NodeIndex, DeviceProfile Profile);
