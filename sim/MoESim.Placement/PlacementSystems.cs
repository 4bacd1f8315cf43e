using MoESim.Cost;
using MoESim.Hardware.Topology;

namespace MoESim.Placement;

/// <summary>Builds the placement view of a system profile (topology from hardware-profiles/systems/).</summary>
public static class PlacementSystems
{
    /// <summary>
    /// Devices and nodes from the topology; intra- and inter-node bandwidth are the narrowest
    /// link on the route from device 0 to a device of its own machine and of another machine.
    /// Memory for experts: <paramref name="memoryFraction"/> of a device's main memory minus the
    /// model's non-expert weights, which every device holds (DP attention); KV cache is not
    /// reserved, so this is an upper bound.
    /// </summary>
    public static PlacementSystem From(SystemTopology topology, ModelWork work, double memoryFraction = 0.9)
    {
        var devices = topology.Devices;
        var perMachine = devices.Count(d => d.Machine == devices[0].Machine);
        var sameMachine = devices.FirstOrDefault(d => d.Index != 0 && d.Machine == devices[0].Machine);
        var otherMachine = devices.FirstOrDefault(d => d.Machine != devices[0].Machine);
        var intra = sameMachine is null ? double.PositiveInfinity : topology.RouteBandwidthBytesPerSecond(0, sameMachine.Index);
        var inter = otherMachine is null ? intra : topology.RouteBandwidthBytesPerSecond(0, otherMachine.Index);
        var experts = (work.Model.Moe?.NumExperts ?? 0) * work.Model.NumMoeLayers * work.ExpertWeightBytes;
        var memory = devices[0].Profile.MainMemory.CapacityBytes * memoryFraction - (work.TotalWeightBytes - experts);
        return new PlacementSystem
        {
            Name = topology.Name,
            NumDevices = devices.Count,
            DevicesPerNode = perMachine,
            IntraNodeBytesPerSecond = double.IsFinite(intra) ? intra : 1e30,
            InterNodeBytesPerSecond = double.IsFinite(inter) ? inter : 1e30,
            ExpertMemoryBytesPerDevice = Math.Max(memory, 1),
        };
    }
}
