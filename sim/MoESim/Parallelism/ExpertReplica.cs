namespace MoESim.Parallelism;

/// <summary>
/// One copy of an expert on a device.
/// </summary>
/// <param name="Device">Device index in the system, 0..devices-1.</param>
/// <param name="Weight">Share of the expert's tokens this copy serves, in (0, 1]; an expert's replica weights sum to 1.</param>
public readonly record struct ExpertReplica(int Device, double Weight);
