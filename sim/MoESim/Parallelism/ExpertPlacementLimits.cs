namespace MoESim.Parallelism;

/// <summary>
/// What a loaded placement must fit: the system's device count, the model's shape and, when
/// known, each device's memory for expert weights. Null members are not checked.
/// </summary>
public sealed record ExpertPlacementLimits
{
    /// <summary>Devices in the system, ≥ 1; a placement naming another count is rejected.</summary>
    public int? NumDevices { get; init; }

    /// <summary>MoE layers of the model, ≥ 1.</summary>
    public int? NumMoeLayers { get; init; }

    /// <summary>Routed experts per MoE layer, ≥ 1.</summary>
    public int? NumExperts { get; init; }

    /// <summary>Bytes of one routed expert's weights (&gt; 0); needed for the memory check.</summary>
    public double? ExpertWeightBytes { get; init; }

    /// <summary>Bytes each device can give to routed-expert weights (&gt; 0); with <see cref="ExpertWeightBytes"/>, every device's copies across all layers must fit.</summary>
    public double? ExpertMemoryBytesPerDevice { get; init; }
}
