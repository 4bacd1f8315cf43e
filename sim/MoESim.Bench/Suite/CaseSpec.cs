using MoESim.Bench.Cases;
using MoESim.Bench.Kernels;

namespace MoESim.Bench.Suite;

/// <summary>
/// A planned benchmark: what it is, its work (FLOPs and bytes counted the way the simulator's
/// cost model counts them) and how to build it. Built only when it runs, so memory holds one case.
/// </summary>
public sealed record CaseSpec
{
    /// <summary>Family the case belongs to (see <see cref="Calibration.BenchFamilies"/>).</summary>
    public required string Family { get; init; }

    /// <summary>Variant within the family, e.g. "naive", "tiled", "read", "mixtral-8x7b".</summary>
    public required string Variant { get; init; }

    /// <summary>Shape as text, e.g. "M=16 N=896 K=256".</summary>
    public required string Shape { get; init; }

    /// <summary>Stages and their work; one entry for a single kernel.</summary>
    public required IReadOnlyList<WorkComponent> Components { get; init; }

    /// <summary>True when calibration may fit on this case; false for held-out and composite cases.</summary>
    public required bool Fit { get; init; }

    /// <summary>Bytes of device memory the case allocates.</summary>
    public required double AllocatedBytes { get; init; }

    /// <summary>Builds the case (allocates and fills its buffers).</summary>
    public required Func<KernelSet, ulong, BenchCase> Create { get; init; }

    public double Flops => Components.Sum(c => c.Flops);
    public double Bytes => Components.Sum(c => c.Bytes);
    public int Kernels => Components.Sum(c => c.Kernels);
    public double Threads => Components.Sum(c => c.Threads);
}
