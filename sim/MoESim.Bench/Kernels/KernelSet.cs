using ILGPU.Runtime;

namespace MoESim.Bench.Kernels;

/// <summary>Every benchmark kernel loaded (compiled) once for one accelerator.</summary>
public sealed class KernelSet
{
    public KernelSet(BenchAccelerator accelerator)
    {
        Bench = accelerator;
        var acc = accelerator.Accelerator;
        Gemm = new GemmKernels(acc);
        Gemv = new GemvKernels(acc);
        // Enough strided threads to fill the device several times over.
        Stream = new StreamKernels(acc, Math.Max(64, acc.MaxNumThreads * 4));
        SwiGlu = new SwiGluKernels(acc);
        GroupedFfn = new GroupedFfnKernels(acc, SwiGlu);
        GatherScatter = new GatherScatterKernels(acc, Stream.Threads);
        Attention = new AttentionDecodeKernels(acc);
        Empty = new EmptyKernel(acc);
    }

    public BenchAccelerator Bench { get; }
    public Accelerator Accelerator => Bench.Accelerator;
    public GemmKernels Gemm { get; }
    public GemvKernels Gemv { get; }
    public StreamKernels Stream { get; }
    public SwiGluKernels SwiGlu { get; }
    public GroupedFfnKernels GroupedFfn { get; }
    public GatherScatterKernels GatherScatter { get; }
    public AttentionDecodeKernels Attention { get; }
    public EmptyKernel Empty { get; }
}
