using ILGPU;
using ILGPU.Runtime;

namespace MoESim.Bench.Kernels;

/// <summary>
/// Matrix-vector product y[N] = x[K] · W[K×N] (W row-major, as a weight matrix is stored for
/// one decode token): one thread per output, so neighbouring threads read neighbouring columns.
/// </summary>
public sealed class GemvKernels
{
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> _gemv;

    public GemvKernels(Accelerator accelerator) =>
        _gemv = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(Gemv);

    /// <summary>Queues y = x·W.</summary>
    public void Run(ArrayView<float> x, ArrayView<float> w, ArrayView<float> y, int n, int k) => _gemv(n, x, w, y, n, k);

    private static void Gemv(Index1D col, ArrayView<float> x, ArrayView<float> w, ArrayView<float> y, int n, int k)
    {
        var sum = 0f;
        for (var j = 0; j < k; j++) sum += x[j] * w[(long)j * n + col];
        y[col] = sum;
    }
}
