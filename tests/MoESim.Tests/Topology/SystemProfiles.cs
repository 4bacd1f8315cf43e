using MoESim.Hardware.Topology;
using MoESim.Tests.Config;

namespace MoESim.Tests.Topology;

/// <summary>The shipped system profiles, loaded once per test run (loading is pure).</summary>
internal static class SystemProfiles
{
    private static readonly Lazy<SystemTopology> Node = new(() => Load("dgx-h100"));
    private static readonly Lazy<SystemTopology> TwoNodes = new(() => Load("dgx-h100-2node"));
    private static readonly Lazy<SystemTopology> FourNodes = new(() => Load("dgx-h100-4node"));

    /// <summary>One DGX H100 (8 GPUs).</summary>
    public static SystemTopology DgxH100 => Node.Value;

    /// <summary>Two DGX H100 nodes (16 GPUs).</summary>
    public static SystemTopology DgxH100TwoNodes => TwoNodes.Value;

    /// <summary>Four DGX H100 nodes (32 GPUs).</summary>
    public static SystemTopology DgxH100FourNodes => FourNodes.Value;

    /// <summary>Path of a shipped system profile.</summary>
    public static string PathOf(string name) => System.IO.Path.Combine(RepoPaths.HardwareProfiles, "systems", name + ".yaml");

    public static SystemTopology Load(string name) => SystemProfileLoader.Load(PathOf(name));
}
