using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace MoESim.Bench.Kernels;

/// <summary>
/// Decode attention (one new token per sequence) over a KV cache with grouped-query heads:
/// Q [B×Hq×D], K and V caches [B×L×Hkv×D]. Three kernels: scores S = Q·Kᵀ/√D
/// (B×Hq×L), a softmax per (sequence, head) in place, and O = S·V (B×Hq×D).
/// </summary>
public sealed class AttentionDecodeKernels
{
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttentionShape> _scores;
    private readonly Action<Index1D, ArrayView<float>, int> _softmax;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttentionShape> _output;

    public AttentionDecodeKernels(Accelerator accelerator)
    {
        _scores = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttentionShape>(Scores);
        _softmax = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, int>(Softmax);
        _output = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, AttentionShape>(Output);
    }

    /// <summary>Queues the three kernels; <paramref name="scores"/> is B·Hq·L scratch.</summary>
    public void Run(ArrayView<float> q, ArrayView<float> k, ArrayView<float> v, ArrayView<float> scores, ArrayView<float> o, AttentionShape s)
    {
        _scores((int)((long)s.Batch * s.Heads * s.Context), q, k, scores, s);
        _softmax(s.Batch * s.Heads, scores, s.Context);
        _output(s.Batch * s.Heads * s.HeadDim, scores, v, o, s);
    }

    private static void Scores(Index1D index, ArrayView<float> q, ArrayView<float> k, ArrayView<float> scores, AttentionShape s)
    {
        var l = index.X % s.Context;
        var bh = index.X / s.Context;
        var head = bh % s.Heads;
        var b = bh / s.Heads;
        var kvHead = head / (s.Heads / s.KvHeads);
        var q0 = (long)bh * s.HeadDim;
        var k0 = (((long)b * s.Context + l) * s.KvHeads + kvHead) * s.HeadDim;
        var sum = 0f;
        for (var d = 0; d < s.HeadDim; d++) sum += q[q0 + d] * k[k0 + d];
        scores[index] = sum * XMath.Rsqrt(s.HeadDim);
    }

    private static void Softmax(Index1D bh, ArrayView<float> scores, int context)
    {
        var row = (long)bh.X * context;
        var max = float.MinValue;
        for (var l = 0; l < context; l++) max = XMath.Max(max, scores[row + l]);
        var total = 0f;
        for (var l = 0; l < context; l++)
        {
            var e = XMath.Exp(scores[row + l] - max);
            scores[row + l] = e;
            total += e;
        }
        var inv = 1f / total;
        for (var l = 0; l < context; l++) scores[row + l] *= inv;
    }

    private static void Output(Index1D index, ArrayView<float> scores, ArrayView<float> v, ArrayView<float> o, AttentionShape s)
    {
        var d = index.X % s.HeadDim;
        var bh = index.X / s.HeadDim;
        var head = bh % s.Heads;
        var b = bh / s.Heads;
        var kvHead = head / (s.Heads / s.KvHeads);
        var row = (long)bh * s.Context;
        var sum = 0f;
        for (var l = 0; l < s.Context; l++)
            sum += scores[row + l] * v[(((long)b * s.Context + l) * s.KvHeads + kvHead) * s.HeadDim + d];
        o[index] = sum;
    }
}
