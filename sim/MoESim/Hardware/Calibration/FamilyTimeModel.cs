namespace MoESim.Hardware.Calibration;

/// <summary>
/// Measured time model of one kernel family, relative to the profile's peaks:
/// time = kernels × launch overhead + combine(FLOPs / (peak × <see cref="ComputeEfficiency"/>),
/// bytes / (bandwidth × <see cref="MemoryEfficiency"/>)) + output elements ×
/// <see cref="SecondsPerOutputElement"/>, combine being sum or max. A term whose efficiency is
/// null is absent (the fit found it explains nothing). The per-output-element term is the cost
/// of a thread where a kernel launches one per output element: large on ILGPU's CPU accelerator
/// (a debugging backend that emulates each GPU thread), zero on GPUs. With combine = max, both
/// efficiencies set and no per-element cost this is exactly the roofline with per-family efficiencies.
/// </summary>
public sealed record FamilyTimeModel
{
    /// <summary>Family name as benchmarked, e.g. "gemm", "swiglu_ffn", "stream".</summary>
    public required string Family { get; init; }

    /// <summary>Achieved share of the profile's peak FLOP/s, in (0, <see cref="CalibrationLoader.MaxFactor"/>]; null: no compute term.</summary>
    public double? ComputeEfficiency { get; init; }

    /// <summary>Achieved share of the profile's memory bandwidth, in (0, <see cref="CalibrationLoader.MaxFactor"/>]; null: no memory term.</summary>
    public double? MemoryEfficiency { get; init; }

    /// <summary>How the compute and memory terms combine.</summary>
    public WorkCombine Combine { get; init; } = WorkCombine.Sum;

    /// <summary>Seconds each output element (thread) costs beyond its FLOPs and bytes, ≥ 0.</summary>
    public double SecondsPerOutputElement { get; init; }

    /// <summary>
    /// Time of the work beyond launches, seconds (≥ 0), for <paramref name="flops"/> at
    /// <paramref name="peakFlopsPerSecond"/>, <paramref name="bytes"/> at <paramref name="bandwidthBytesPerSecond"/>
    /// and <paramref name="outputElements"/> (≥ 0; 0 when unknown).
    /// </summary>
    public double WorkSeconds(double flops, double bytes, double outputElements, double peakFlopsPerSecond, double bandwidthBytesPerSecond)
    {
        var compute = ComputeEfficiency is { } ce ? flops / (peakFlopsPerSecond * ce) : 0;
        var memory = MemoryEfficiency is { } me ? bytes / (bandwidthBytesPerSecond * me) : 0;
        return (Combine == WorkCombine.Sum ? compute + memory : Math.Max(compute, memory)) + outputElements * SecondsPerOutputElement;
    }
}
