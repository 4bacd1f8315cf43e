using MoESim.Engine;
using MoESim.Hardware;

namespace MoESim.Platforms;

/// <summary>One compute unit of a platform device or host CPU (tensor cores, CUDA cores, AMX, a PIM unit) as an engine resource.</summary>
public sealed record PlatformUnit
{
    /// <summary>The unit as the profile describes it (kind, peaks, the memory tier it reads).</summary>
    public required ComputeUnitProfile Profile { get; init; }

    /// <summary>The engine resource tasks run on (named <c>device/unit</c> on the timeline, or the device's name for a primary unit).</summary>
    public required ComputeUnit Unit { get; init; }

    /// <summary>Its compute-unit id in the platform's resource set (what a task graph names), ≥ 0.</summary>
    public required int Id { get; init; }
}
