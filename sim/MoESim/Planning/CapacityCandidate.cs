namespace MoESim.Planning;

/// <summary>
/// One kind of serving replica a capacity plan may buy N of: a single device (a device profile)
/// serving the whole model, or a multi-GPU system (a system profile) serving it with expert
/// parallelism.
/// </summary>
public sealed record CapacityCandidate
{
    /// <summary>Name shown in tables and legends (the profile's name).</summary>
    public required string Name { get; init; }

    /// <summary>Device profile YAML of a single-device replica; null for a system.</summary>
    public string? DevicePath { get; init; }

    /// <summary>System profile YAML of an expert-parallel replica; null for a single device.</summary>
    public string? SystemPath { get; init; }

    /// <summary>GPUs (or other accelerators) in one replica, ≥ 1.</summary>
    public required int DevicesPerReplica { get; init; }

    /// <summary>Price of one replica, USD per hour (from its profile), ≥ 0.</summary>
    public required double PricePerHourUsd { get; init; }
}
