namespace MoESim.Hardware;

/// <summary>One level of a device's memory (HBM, GDDR, host DRAM, CXL, SSD, PIM-internal).</summary>
public sealed record MemoryTier
{
    /// <summary>Tier name as written in the profile, e.g. "hbm3"; unique within its device.</summary>
    public required string Name { get; init; }

    /// <summary>Memory technology; null when the profile gives no <c>kind:</c>.</summary>
    public MemoryTierKind? Kind { get; init; }

    /// <summary>Usable capacity in bytes (&gt; 0).</summary>
    public required double CapacityBytes { get; init; }

    /// <summary>Peak bandwidth in bytes per second (&gt; 0).</summary>
    public required double BandwidthBytesPerSecond { get; init; }

    /// <summary>Access energy in joules per byte (≥ 0); 0 when the profile gives none.</summary>
    public double EnergyJoulesPerByte { get; init; }
}
