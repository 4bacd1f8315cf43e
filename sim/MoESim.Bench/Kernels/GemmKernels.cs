using ILGPU;
using ILGPU.Runtime;

namespace MoESim.Bench.Kernels;

/// <summary>
/// Dense fp32 GEMM C[M×N] = A[M×K] · B[K×N], all row-major. Two variants: one thread per
/// output element (runs anywhere), and a shared-memory tiled kernel (tile × tile threads per
/// group, dynamic shared memory) for GPUs; the CPU accelerator runs it with 4×4 tiles.
/// </summary>
public sealed class GemmKernels
{
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> _naive;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int> _tiled;

    public GemmKernels(Accelerator accelerator)
    {
        _naive = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(Naive);
        _tiled = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int>(Tiled);
        // The largest square tile whose threads fit one group (16×16 on CUDA, 4×4 on the CPU accelerator).
        TileSize = (int)Math.Min(16, Math.Floor(Math.Sqrt(accelerator.MaxNumThreadsPerGroup)));
    }

    /// <summary>Edge of the square tile the tiled kernel uses (threads per group = tile²).</summary>
    public int TileSize { get; }

    /// <summary>Queues C = A·B with one thread per element of C.</summary>
    public void Naive(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int m, int n, int k) =>
        _naive((int)((long)m * n), a, b, c, n, k);

    /// <summary>Queues C = A·B with the shared-memory tiled kernel.</summary>
    public void Tiled(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int m, int n, int k)
    {
        var t = TileSize;
        var config = new KernelConfig(
            new Index2D((n + t - 1) / t, (m + t - 1) / t), new Index2D(t, t), SharedMemoryConfig.RequestDynamic<float>(2 * t * t));
        _tiled(config, a, b, c, m, n, k, t);
    }

    private static void Naive(Index1D index, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int n, int k)
    {
        var row = index.X / n;
        var col = index.X - row * n;
        var aRow = (long)row * k;
        var sum = 0f;
        for (var j = 0; j < k; j++) sum += a[aRow + j] * b[(long)j * n + col];
        c[index] = sum;
    }

    private static void Tiled(ArrayView<float> a, ArrayView<float> b, ArrayView<float> c, int m, int n, int k, int t)
    {
        var shared = SharedMemory.GetDynamic<float>();
        var tileA = shared.SubView(0, t * t);
        var tileB = shared.SubView(t * t, t * t);
        var ty = Group.IdxY;
        var tx = Group.IdxX;
        var row = Grid.IdxY * t + ty;
        var col = Grid.IdxX * t + tx;
        var sum = 0f;
        for (var k0 = 0; k0 < k; k0 += t)
        {
            tileA[ty * t + tx] = row < m && k0 + tx < k ? a[(long)row * k + k0 + tx] : 0f;
            tileB[ty * t + tx] = k0 + ty < k && col < n ? b[(long)(k0 + ty) * n + col] : 0f;
            Group.Barrier();
            for (var j = 0; j < t; j++) sum += tileA[ty * t + j] * tileB[j * t + tx];
            Group.Barrier();
        }
        if (row < m && col < n) c[(long)row * n + col] = sum;
    }
}
