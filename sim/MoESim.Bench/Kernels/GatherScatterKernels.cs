using ILGPU;
using ILGPU.Runtime;

namespace MoESim.Bench.Kernels;

/// <summary>
/// Token dispatch and combine within one device. Gather: row r of the expert-sorted buffer is
/// token <c>sourceToken[r]</c> of X (H wide). Combine: token t's output is the gate-weighted sum
/// of its top-k expert rows, <c>Y[t] = Σ_j weight[t·k+j] · E[slotOf[t·k+j]]</c>.
/// Both are grid-stride kernels over the output elements with a fixed thread count, like the
/// stream kernels: a data-movement kernel's time then follows the bytes it moves. With one thread
/// per element, ILGPU's CPU accelerator spent 1–4 µs of scheduling per thread, so gather times
/// followed thread counts and scheduler noise (37% median model error) rather than data.
/// </summary>
public sealed class GatherScatterKernels
{
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, long, int, int> _gather;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, long, int, int, int> _combine;

    public GatherScatterKernels(Accelerator accelerator, int threads)
    {
        Threads = threads;
        _gather = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, long, int, int>(Gather);
        _combine = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, long, int, int, int>(Combine);
    }

    /// <summary>Threads launched per kernel (each strides over the output elements).</summary>
    public int Threads { get; }

    /// <summary>Queues sorted[r, :] = x[sourceToken[r], :] for <paramref name="rows"/> rows of width <paramref name="h"/>.</summary>
    public void Gather(ArrayView<float> x, ArrayView<int> sourceToken, ArrayView<float> sorted, int rows, int h) =>
        _gather(Threads, x, sourceToken, sorted, (long)rows * h, h, Threads);

    /// <summary>Queues y[t, :] = Σ_j weight[t·k+j] · expertOut[slotOf[t·k+j], :] for <paramref name="tokens"/> tokens.</summary>
    public void Combine(ArrayView<float> expertOut, ArrayView<int> slotOf, ArrayView<float> weight, ArrayView<float> y, int tokens, int h, int topK) =>
        _combine(Threads, expertOut, slotOf, weight, y, (long)tokens * h, h, topK, Threads);

    private static void Gather(Index1D t, ArrayView<float> x, ArrayView<int> sourceToken, ArrayView<float> sorted, long elements, int h, int stride)
    {
        for (long i = t; i < elements; i += stride)
        {
            var row = i / h;
            var col = i - row * h;
            sorted[i] = x[sourceToken[row] * (long)h + col];
        }
    }

    private static void Combine(Index1D t, ArrayView<float> expertOut, ArrayView<int> slotOf, ArrayView<float> weight, ArrayView<float> y, long elements, int h, int topK, int stride)
    {
        for (long i = t; i < elements; i += stride)
        {
            var token = i / h;
            var col = i - token * h;
            var sum = 0f;
            for (var j = 0; j < topK; j++)
            {
                var pair = token * topK + j;
                sum += weight[pair] * expertOut[slotOf[pair] * (long)h + col];
            }
            y[i] = sum;
        }
    }
}
