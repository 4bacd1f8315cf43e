namespace MoESim.Plots;

/// <summary>Input of <see cref="RooflineChart"/>: one device's roofs and the operators placed under them.</summary>
public sealed record RooflineChartData
{
    /// <summary>Device name for the title, e.g. "NVIDIA H100 SXM".</summary>
    public required string DeviceName { get; init; }

    /// <summary>Model name for the title, e.g. "Mixtral 8x7B".</summary>
    public required string ModelName { get; init; }

    /// <summary>Memory bandwidth that forms the sloped roof, in bytes/s; must be &gt; 0 (e.g. 3.35e12).</summary>
    public required double MemoryBandwidthBytesPerSecond { get; init; }

    /// <summary>Name of that memory in the slope's label, e.g. "HBM3".</summary>
    public string MemoryName { get; init; } = "HBM";

    /// <summary>Flat compute roofs, one per data type; at least one.</summary>
    public required IReadOnlyList<RooflineCeiling> Ceilings { get; init; }

    /// <summary>Operator points; may be empty (then only the roofs are drawn).</summary>
    public required IReadOnlyList<RooflinePoint> Points { get; init; }
}
