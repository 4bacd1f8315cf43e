using ILGPU;
using ILGPU.Runtime;
using MoESim.Bench.Kernels;
using MoESim.Randomness;

namespace MoESim.Bench.Cases;

/// <summary>
/// One benchmark: device buffers filled with seeded random inputs, the kernels to time, and a
/// plain C# reference for sampled output elements, so every result is checked before timing.
/// </summary>
public abstract class BenchCase : IDisposable
{
    private readonly List<IDisposable> _buffers = new();

    protected BenchCase(KernelSet kernels, ulong seed)
    {
        Kernels = kernels;
        Random = new SeededRandom(seed);
    }

    protected KernelSet Kernels { get; }
    protected SeededRandom Random { get; }

    /// <summary>Output elements compared with the reference (spread evenly over the output).</summary>
    public int CheckSamples { get; init; } = 64;

    /// <summary>Queues the kernels being timed (the caller synchronises).</summary>
    public abstract void Enqueue();

    /// <summary>The buffer the reference is compared against.</summary>
    protected abstract MemoryBuffer1D<float, Stride1D.Dense> Output { get; }

    /// <summary>The reference value of output element <paramref name="index"/>.</summary>
    protected abstract double ReferenceAt(long index);

    /// <summary>
    /// Runs the kernels once and returns the largest relative error |got − want| / |want| over
    /// sampled output elements (inputs are positive, so no reference value is near zero by cancellation).
    /// </summary>
    public double MaxRelativeError()
    {
        Enqueue();
        Kernels.Bench.Synchronize();
        var got = Output.GetAsArray1D();
        var samples = Math.Min(CheckSamples, got.LongLength);
        var worst = 0.0;
        for (long s = 0; s < samples; s++)
        {
            var index = samples == got.LongLength ? s : s * (got.LongLength - 1) / Math.Max(1, samples - 1);
            var want = ReferenceAt(index);
            var error = Math.Abs(got[index] - want) / Math.Max(Math.Abs(want), 1e-30);
            if (!(error <= worst)) worst = double.IsNaN(error) ? double.PositiveInfinity : Math.Max(worst, error);
        }
        return worst;
    }

    /// <summary>A device buffer of <paramref name="length"/> floats uniform in [<paramref name="low"/>, <paramref name="high"/>); the host copy is returned too.</summary>
    protected (MemoryBuffer1D<float, Stride1D.Dense> Device, float[] Host) Floats(long length, float low = 0f, float high = 1f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length); // ILGPU fails on an empty host array with a bare NullReferenceException
        var host = new float[length];
        for (long i = 0; i < length; i++) host[i] = (float)(low + (high - low) * Random.NextDouble());
        var device = Kernels.Accelerator.Allocate1D(host);
        _buffers.Add(device);
        return (device, host);
    }

    /// <summary>An uninitialised device buffer of <paramref name="length"/> floats.</summary>
    protected MemoryBuffer1D<float, Stride1D.Dense> Scratch(long length)
    {
        var device = Kernels.Accelerator.Allocate1D<float>(Math.Max(1, length));
        _buffers.Add(device);
        return device;
    }

    /// <summary>A device copy of <paramref name="host"/>.</summary>
    protected MemoryBuffer1D<float, Stride1D.Dense> Upload(float[] host)
    {
        var device = Kernels.Accelerator.Allocate1D(host);
        _buffers.Add(device);
        return device;
    }

    /// <summary>A device copy of <paramref name="host"/>.</summary>
    protected MemoryBuffer1D<int, Stride1D.Dense> Ints(int[] host)
    {
        var device = Kernels.Accelerator.Allocate1D(host);
        _buffers.Add(device);
        return device;
    }

    public void Dispose()
    {
        foreach (var b in _buffers) b.Dispose();
        _buffers.Clear();
        GC.SuppressFinalize(this);
    }
}
