using ILGPU;
using ILGPU.Runtime;

namespace MoESim.Bench.Kernels;

/// <summary>A kernel that does nothing: its launch-to-completion time is the launch overhead.</summary>
public sealed class EmptyKernel
{
    private readonly Action<Index1D, ArrayView<float>> _empty;

    public EmptyKernel(Accelerator accelerator) =>
        _empty = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>>(Empty);

    /// <summary>Queues one launch of a single thread.</summary>
    public void Run(ArrayView<float> dummy) => _empty(1, dummy);

    private static void Empty(Index1D index, ArrayView<float> dummy)
    {
        // Deliberately empty: the measured time is pure launch and synchronisation cost.
    }
}
