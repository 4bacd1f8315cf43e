namespace MoESim.Hardware;

/// <summary>The link between a device and its host (PCIe generation and width).</summary>
public sealed record HostLink
{
    /// <summary>Human name, e.g. "PCIe 5.0 x16".</summary>
    public required string Name { get; init; }

    /// <summary>Bandwidth in each direction, bytes per second (&gt; 0).</summary>
    public required double BandwidthBytesPerSecondPerDirection { get; init; }

    /// <summary>One-way latency in seconds (&gt;= 0).</summary>
    public required double LatencySeconds { get; init; }
}
