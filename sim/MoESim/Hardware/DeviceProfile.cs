using MoESim.Units;

namespace MoESim.Hardware;

/// <summary>
/// One device (GPU, NPU, CPU, PIM) as read from a hardware profile: compute units with peaks
/// per data type, memory tiers, host link, fixed overheads, calibrated efficiencies, power and
/// price. The first compute unit is the primary one (where GEMMs run);
/// <see cref="PeakFlopsPerSecond"/> and <see cref="PeakFor"/> are its peaks.
/// </summary>
public sealed record DeviceProfile
{
    private readonly IReadOnlyList<ComputeUnitProfile>? _units;
    private readonly IReadOnlyDictionary<DataType, double>? _primaryPeaksOnly;

    /// <summary>Profile name, e.g. "h100-sxm".</summary>
    public required string Name { get; init; }

    public required DeviceKind Kind { get; init; }

    /// <summary>
    /// Compute units, the primary first (≥ 1 entry). Loaded profiles always set this. A profile
    /// built in code may set only <see cref="PeakFlopsPerSecond"/> instead: it then has one
    /// primary unit named "primary", of the device kind's main unit kind, reading the first memory tier.
    /// </summary>
    public IReadOnlyList<ComputeUnitProfile> Units
    {
        get => _units ?? new[] { PrimaryOnlyUnit() };
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Count == 0) throw new ArgumentException("a device needs at least one compute unit", nameof(value));
            _units = value;
            _primaryPeaksOnly = null;
        }
    }

    /// <summary>
    /// The primary unit's dense peak in FLOP/s (or integer ops/s) per data type. Setting it
    /// replaces the primary unit's peaks (or, with no <see cref="Units"/>, defines a one-unit device).
    /// </summary>
    public IReadOnlyDictionary<DataType, double> PeakFlopsPerSecond
    {
        get => _units is not null ? _units[0].PeakFlopsPerSecond
            : _primaryPeaksOnly ?? throw new InvalidOperationException($"device profile '{Name}' has neither Units nor PeakFlopsPerSecond");
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            if (_units is not null)
            {
                var units = _units.ToArray();
                units[0] = units[0] with { PeakFlopsPerSecond = value };
                _units = units;
            }
            else
            {
                _primaryPeaksOnly = value;
            }
        }
    }

    /// <summary>The unit GEMMs run on: <c>Units[0]</c>.</summary>
    public ComputeUnitProfile PrimaryUnit => Units[0];

    /// <summary>Memory tiers, fastest (the one weights and KV cache live in) first.</summary>
    public required IReadOnlyList<MemoryTier> MemoryTiers { get; init; }

    /// <summary>
    /// The device's link to its host's memory (PCIe for an accelerator; a system profile joins
    /// each accelerator to its host CPU with it). A CPU is the host: unless its profile gives a
    /// <c>host_link</c>, this is its own main memory (that tier's bandwidth, no latency).
    /// </summary>
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

    /// <summary>The memory tier <paramref name="unit"/> reads (falls back to <see cref="MainMemory"/> for a name no tier has).</summary>
    public MemoryTier MemoryTierOf(ComputeUnitProfile unit)
    {
        ArgumentNullException.ThrowIfNull(unit);
        foreach (var tier in MemoryTiers)
            if (string.Equals(tier.Name, unit.MemoryTierName, StringComparison.Ordinal)) return tier;
        return MainMemory;
    }

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

    // The one unit of a profile built in code with PeakFlopsPerSecond only.
    private ComputeUnitProfile PrimaryOnlyUnit() => new()
    {
        Name = "primary",
        Kind = Kind switch
        {
            DeviceKind.Npu => ComputeUnitKind.NpuCube,
            DeviceKind.Cpu => ComputeUnitKind.CpuCore,
            DeviceKind.Pim => ComputeUnitKind.LogicPim,
            _ => ComputeUnitKind.GpuTensorCore,
        },
        PeakFlopsPerSecond = PeakFlopsPerSecond,
        MemoryTierName = MemoryTiers.Count > 0 ? MemoryTiers[0].Name : "",
    };
}
