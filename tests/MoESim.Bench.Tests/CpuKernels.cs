using MoESim.Bench.Kernels;

namespace MoESim.Bench.Tests;

/// <summary>One CPU accelerator and kernel set shared by the tests (kernel compilation is the slow part).</summary>
internal static class CpuKernels
{
    private static readonly Lazy<KernelSet> Shared = new(() => new KernelSet(BenchAccelerator.Create(AcceleratorChoice.Cpu)));

    public static KernelSet Set => Shared.Value;
}
