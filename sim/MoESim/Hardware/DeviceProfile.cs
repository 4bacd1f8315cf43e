using MoESim.Units;

namespace MoESim.Hardware;

/// <summary>
/// One device (GPU, NPU, CPU, PIM) as read from a hardware profile: compute peaks per data
/// type, memory tiers, host link, fixed overheads, calibrated efficiencies, power and price.
/// </summary>
public sealed record DeviceProfile
{
    /// <summary>Profile name, e.g. "h100-sxm".</summary>
    public required string Name { get; init; }

    public required DeviceKind Kind { get; init; }

    /// <summary>Dense peak in FLOP/s (or integer ops/s) for each supported data type.</summary>
    public required IReadOnlyDictionary<DataType, double> PeakFlopsPerSecond { get; init; }

    /// <summary>Memory tiers, fastest (the one weights and KV cache live in) first.</summary>
    public required IReadOnlyList<MemoryTier> MemoryTiers { get; init; }

    public required HostLink HostLink { get; init; }

    /// <summary>Fixed cost of launching one kernel, seconds (&gt;= 0).</summary>
    public required double KernelLaunchOverheadSeconds { get; init; }

    /// <summary>Board power at full load, watts.</summary>
    public required double PowerWatts { get; init; }

    /// <summary>Rental price, US dollars per hour.</summary>
    public required double PricePerHourUsd { get; init; }

    /// <summary>Efficiency for operators with no specific entry.</summary>
    public required Efficiency DefaultEfficiency { get; init; }

    /// <summary>Per-operator-kind efficiencies (keys are operator kind names, e.g. "attention_decode").</summary>
    public required IReadOnlyDictionary<string, Efficiency> OperatorEfficiency { get; init; }

    /// <summary>Per-family time models measured by <c>moesim bench</c>; null for profiles written by hand.</summary>
    public Calibration.CalibrationSection? Calibration { get; init; }

    /// <summary>The tier weights, activations and KV cache live in.</summary>
    public MemoryTier MainMemory => MemoryTiers[0];

    /// <summary>Efficiency for an operator kind (falls back to the default).</summary>
    public Efficiency EfficiencyFor(string operatorKind) =>
        OperatorEfficiency.TryGetValue(operatorKind, out var e) ? e : DefaultEfficiency;

    /// <summary>
    /// Peak FLOP/s for a data type. A type the device lacks runs at the nearest wider type's
    /// rate (e.g. fp8 weights on an A100 are upcast to bf16), as real kernels do.
    /// </summary>
    public double PeakFor(DataType type)
    {
        foreach (var candidate in FallbackOrder(type))
        {
            if (PeakFlopsPerSecond.TryGetValue(candidate, out var peak)) return peak;
        }
        return PeakFlopsPerSecond.Values.Min();
    }

    /// <summary>Where a type's math runs when the device lacks units for it: the type itself, then wider floating types.</summary>
    private static DataType[] FallbackOrder(DataType type) => type switch
    {
        DataType.Fp8 => new[] { DataType.Fp8, DataType.Bf16, DataType.Fp16, DataType.Fp32 },
        DataType.Int8 => new[] { DataType.Int8, DataType.Bf16, DataType.Fp16, DataType.Fp32 },
        DataType.Int4 => new[] { DataType.Int4, DataType.Int8, DataType.Bf16, DataType.Fp16, DataType.Fp32 },
        DataType.Bf16 => new[] { DataType.Bf16, DataType.Fp16, DataType.Fp32 },
        DataType.Fp16 => new[] { DataType.Fp16, DataType.Bf16, DataType.Fp32 },
        _ => new[] { DataType.Fp32 },
    };
}
