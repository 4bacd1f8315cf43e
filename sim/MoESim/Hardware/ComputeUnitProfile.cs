using MoESim.Units;

namespace MoESim.Hardware;

/// <summary>
/// One compute unit of a device as read from a profile's <c>units:</c> list: tensor cores,
/// CUDA cores, NPU cube or vector cores, CPU AMX or AVX-512 units, or a PIM unit, with its dense
/// peak per data type and the memory tier it reads.
/// </summary>
public sealed record ComputeUnitProfile
{
    /// <summary>Unit name, unique within its device, e.g. "tensor-cores".</summary>
    public required string Name { get; init; }

    /// <summary>What sort of unit it is.</summary>
    public required ComputeUnitKind Kind { get; init; }

    /// <summary>Physical count (SMs, cores, PIM units) for reports, ≥ 1; null when the profile gives none. Peaks are already totals.</summary>
    public int? Count { get; init; }

    /// <summary>Dense peak of the whole unit (all <see cref="Count"/> of them) in FLOP/s (or integer ops/s) per data type; at least one entry, each &gt; 0.</summary>
    public required IReadOnlyDictionary<DataType, double> PeakFlopsPerSecond { get; init; }

    /// <summary>Name of the device memory tier the unit reads (a PIM unit sits inside it); one of <see cref="DeviceProfile.MemoryTiers"/>.</summary>
    public required string MemoryTierName { get; init; }
}
