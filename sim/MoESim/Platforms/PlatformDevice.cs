using MoESim.Engine;
using MoESim.Hardware;

namespace MoESim.Platforms;

/// <summary>
/// One device of a <see cref="Platform"/> as engine resources: its compute unit (with its id in
/// the platform's <see cref="ResourceSet"/>), a capacity pool per memory tier, and the two
/// directions of its host link (link ids in <see cref="Platform.HostLinks"/>).
/// </summary>
public sealed record PlatformDevice
{
    /// <summary>Device index in the platform (the system's accelerator index), 0 ≤ index &lt; device count.</summary>
    public required int Index { get; init; }

    /// <summary>Device name (a system's vertex name such as <c>n1.gpu3</c>, or the profile name alone).</summary>
    public required string Name { get; init; }

    /// <summary>The device profile it was built from.</summary>
    public required DeviceProfile Profile { get; init; }

    /// <summary>The unit the device's operators run on.</summary>
    public required ComputeUnit Compute { get; init; }

    /// <summary>Id of <see cref="Compute"/> in the platform's resource set (a task graph's compute-unit id).</summary>
    public required int ComputeUnitId { get; init; }

    /// <summary>One capacity pool per memory tier of the profile, fastest first, bytes.</summary>
    public required IReadOnlyList<MemoryPool> MemoryTiers { get; init; }

    /// <summary>Link id (in <see cref="Platform.HostLinks"/>) from the device to its host's memory.</summary>
    public required int ToHostLink { get; init; }

    /// <summary>Link id (in <see cref="Platform.HostLinks"/>) from the host's memory to the device.</summary>
    public required int FromHostLink { get; init; }
}
