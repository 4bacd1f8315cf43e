using ILGPU;
using ILGPU.Runtime;

namespace MoESim.Bench.Kernels;

/// <summary>
/// Token dispatch and combine within one device. Gather: row r of the expert-sorted buffer is
/// token <c>sourceToken[r]</c> of X (H wide). Combine: token t's output is the gate-weighted sum
/// of its top-k expert rows, <c>Y[t] = Σ_j weight[t·k+j] · E[slotOf[t·k+j]]</c>.
/// </summary>
public sealed class GatherScatterKernels
{
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int> _gather;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int> _combine;

    public GatherScatterKernels(Accelerator accelerator)
    {
        _gather = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, int>(Gather);
        _combine = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int>(Combine);
    }

    /// <summary>Queues sorted[r, :] = x[sourceToken[r], :] for <paramref name="rows"/> rows of width <paramref name="h"/>.</summary>
    public void Gather(ArrayView<float> x, ArrayView<int> sourceToken, ArrayView<float> sorted, int rows, int h) =>
        _gather((int)((long)rows * h), x, sourceToken, sorted, h);

    /// <summary>Queues y[t, :] = Σ_j weight[t·k+j] · expertOut[slotOf[t·k+j], :] for <paramref name="tokens"/> tokens.</summary>
    public void Combine(ArrayView<float> expertOut, ArrayView<int> slotOf, ArrayView<float> weight, ArrayView<float> y, int tokens, int h, int topK) =>
        _combine((int)((long)tokens * h), expertOut, slotOf, weight, y, h, topK);

    private static void Gather(Index1D index, ArrayView<float> x, ArrayView<int> sourceToken, ArrayView<float> sorted, int h)
    {
        var row = index.X / h;
        var col = index.X - row * h;
        sorted[index] = x[(long)sourceToken[row] * h + col];
    }

    private static void Combine(Index1D index, ArrayView<float> expertOut, ArrayView<int> slotOf, ArrayView<float> weight, ArrayView<float> y, int h, int topK)
    {
        var token = index.X / h;
        var col = index.X - token * h;
        var sum = 0f;
        for (var j = 0; j < topK; j++)
        {
            var pair = token * topK + j;
            sum += weight[pair] * expertOut[(long)slotOf[pair] * h + col];
        }
        y[index] = sum;
    }
}
