using MoESim.Engine;
using MoESim.Hardware;

namespace MoESim.Platforms;

/// <summary>A host CPU of a platform's system: its compute units and memory tiers as engine resources.</summary>
public sealed record PlatformHostCpu
{
    /// <summary>Host CPU index in the system, 0 ≤ index &lt; host CPU count.</summary>
    public required int Index { get; init; }

    /// <summary>Vertex name, e.g. <c>n0.cpu1</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The CPU's device profile.</summary>
    public required DeviceProfile Profile { get; init; }

    /// <summary>Its compute units (AMX, AVX-512, cores), in profile order.</summary>
    public required IReadOnlyList<PlatformUnit> Units { get; init; }

    /// <summary>One capacity pool per memory tier (host DRAM, CXL, SSD), bytes.</summary>
    public required IReadOnlyList<MemoryPool> MemoryTiers { get; init; }
}
