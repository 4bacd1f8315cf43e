namespace MoESim.Plots;

/// <summary>One flat compute roof of a device, e.g. the dense bf16 tensor-core peak.</summary>
public sealed record RooflineCeiling
{
    /// <summary>Data type the peak applies to, as shown in the label, e.g. "bf16" or "fp8".</summary>
    public required string DataTypeName { get; init; }

    /// <summary>Peak compute throughput in FLOP/s; must be &gt; 0 (e.g. 989e12 for H100 bf16).</summary>
    public required double PeakFlopsPerSecond { get; init; }
}
