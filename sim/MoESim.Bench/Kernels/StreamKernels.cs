using ILGPU;
using ILGPU.Runtime;

namespace MoESim.Bench.Kernels;

/// <summary>
/// Streaming bandwidth kernels over fp32 arrays, grid-stride so a fixed number of threads
/// covers any length: read (each thread sums its elements into one partial), write (fill) and
/// copy. Their best rate is the probed memory bandwidth.
/// </summary>
public sealed class StreamKernels
{
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int> _read;
    private readonly Action<Index1D, ArrayView<float>, float, int> _write;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int> _copy;

    public StreamKernels(Accelerator accelerator, int threads)
    {
        Threads = threads;
        _read = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(Read);
        _write = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float, int>(Write);
        _copy = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(Copy);
    }

    /// <summary>Threads launched per kernel (each strides over the array).</summary>
    public int Threads { get; }

    /// <summary>Queues partials[t] = sum of source[t], source[t + threads], ... (summed in four interleaved partials).</summary>
    public void Read(ArrayView<float> source, ArrayView<float> partials) => _read(Threads, source, partials, Threads);

    /// <summary>Queues target[i] = value for every i.</summary>
    public void Write(ArrayView<float> target, float value) => _write(Threads, target, value, Threads);

    /// <summary>Queues target[i] = source[i] for every i.</summary>
    public void Copy(ArrayView<float> source, ArrayView<float> target) => _copy(Threads, source, target, Threads);

    // Four independent partial sums: with one, each add waits for the previous one (a latency
    // chain of ~4 cycles per element on a CPU), and read measured about 2.5× slower per byte than
    // write, which is the adder's latency rather than memory bandwidth.
    private static void Read(Index1D t, ArrayView<float> source, ArrayView<float> partials, int stride)
    {
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        var n = source.Length;
        long i = t;
        for (; i + 3L * stride < n; i += 4L * stride)
        {
            s0 += source[i];
            s1 += source[i + stride];
            s2 += source[i + 2L * stride];
            s3 += source[i + 3L * stride];
        }
        for (; i < n; i += stride) s0 += source[i];
        partials[t] = (s0 + s1) + (s2 + s3);
    }

    private static void Write(Index1D t, ArrayView<float> target, float value, int stride)
    {
        for (long i = t; i < target.Length; i += stride) target[i] = value;
    }

    private static void Copy(Index1D t, ArrayView<float> source, ArrayView<float> target, int stride)
    {
        for (long i = t; i < source.Length; i += stride) target[i] = source[i];
    }
}
