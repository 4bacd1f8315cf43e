using MoESim.Engine;
using MoESim.Hardware;

namespace MoESim.Platforms;

/// <summary>
/// One device of a <see cref="Platform"/> as engine resources: every compute unit of its profile
/// (the first, primary one with its id equal to the device index in the platform's
/// <see cref="ResourceSet"/>), a capacity pool per memory tier, and the two directions of its host
/// link (link ids in <see cref="Platform.HostLinks"/>).
/// </summary>
public sealed record PlatformDevice
{
    /// <summary>Device index in the platform (the system's accelerator index), 0 ≤ index &lt; device count.</summary>
    public required int Index { get; init; }

    /// <summary>Device name (a system's vertex name such as <c>n1.gpu3</c>, or the profile name alone).</summary>
    public required string Name { get; init; }

    /// <summary>The device profile it was built from.</summary>
    public required DeviceProfile Profile { get; init; }

    /// <summary>Every compute unit of the profile, primary first (tensor cores; a PIM unit or CUDA cores after it).</summary>
    public required IReadOnlyList<PlatformUnit> Units { get; init; }

    /// <summary>The primary unit, where the device's operators run unless a planner sends them elsewhere.</summary>
    public ComputeUnit Compute => Units[0].Unit;

    /// <summary>Id of <see cref="Compute"/> in the platform's resource set: the device index.</summary>
    public int ComputeUnitId => Units[0].Id;

    /// <summary>One capacity pool per memory tier of the profile, fastest first, bytes.</summary>
    public required IReadOnlyList<MemoryPool> MemoryTiers { get; init; }

    /// <summary>Link id (in <see cref="Platform.HostLinks"/>) from the device to its host's memory.</summary>
    public required int ToHostLink { get; init; }

    /// <summary>Link id (in <see cref="Platform.HostLinks"/>) from the host's memory to the device.</summary>
    public required int FromHostLink { get; init; }
}
