using MoESim.Config;

namespace MoESim.Hardware.Topology;

/// <summary>A <c>switches:</c> entry: name and traversal latency (seconds, ≥ 0).</summary>
internal sealed record SystemSwitchSpec(string Name, double LatencySeconds)
{
    public static SystemSwitchSpec Read(YamlMapReader map) => new(
        map.RequiredString("name"),
        map.RequiredDouble("latency_us", positive: false, max: ProfileLimits.MaxLatencyUs) * Units.UnitConversions.SecondsPerMicrosecond);
}
