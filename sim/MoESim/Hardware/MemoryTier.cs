namespace MoESim.Hardware;

/// <summary>One level of a device's memory (HBM, GDDR, host DRAM).</summary>
public sealed record MemoryTier
{
    /// <summary>Tier name as written in the profile, e.g. "hbm".</summary>
    public required string Name { get; init; }

    /// <summary>Usable capacity in bytes (&gt; 0).</summary>
    public required double CapacityBytes { get; init; }

    /// <summary>Peak bandwidth in bytes per second (&gt; 0).</summary>
    public required double BandwidthBytesPerSecond { get; init; }

    /// <summary>Access energy in joules per byte; 0 when the profile gives none.</summary>
    public double EnergyJoulesPerByte { get; init; }
}
