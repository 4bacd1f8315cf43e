using ILGPU;
using ILGPU.Runtime;

namespace MoESim.Bench.Kernels;

/// <summary>
/// Grouped SwiGLU FFN over E experts in one launch per stage: rows of X are token slots sorted
/// by expert, <c>expertOfRow[r]</c> names each row's expert, and expert e's weights sit at
/// offset e·H·I in Wg, Wu (each [H×I]) and Wd ([I×H]). This is how MoE decode runs: one grouped
/// GEMM whose per-expert M follows the router's skewed histogram.
/// </summary>
public sealed class GroupedFfnKernels
{
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> _gateUp;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int> _down;
    private readonly SwiGluKernels _swiGlu;

    public GroupedFfnKernels(Accelerator accelerator, SwiGluKernels swiGlu)
    {
        _swiGlu = swiGlu;
        _gateUp = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(GateUp);
        _down = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int>(Down);
    }

    /// <summary>Queues gate/up, activation and down over <paramref name="rows"/> token slots.</summary>
    public void Run(ArrayView<float> x, ArrayView<int> expertOfRow, ArrayView<float> wg, ArrayView<float> wu, ArrayView<float> wd,
        ArrayView<float> g, ArrayView<float> u, ArrayView<float> a, ArrayView<float> y, int rows, int h, int i)
    {
        _gateUp((int)((long)rows * i), x, expertOfRow, wg, wu, g, u, h, i);
        _swiGlu.RunActivation(g, u, a);
        _down((int)((long)rows * h), a, expertOfRow, wd, y, i, h);
    }

    private static void GateUp(Index1D index, ArrayView<float> x, ArrayView<int> expertOfRow, ArrayView<float> wg, ArrayView<float> wu,
        ArrayView<float> g, ArrayView<float> u, int h, int i)
    {
        var row = index.X / i;
        var col = index.X - row * i;
        var w0 = (long)expertOfRow[row] * h * i;
        var xRow = (long)row * h;
        float sg = 0f, su = 0f;
        for (var j = 0; j < h; j++)
        {
            var xv = x[xRow + j];
            sg += xv * wg[w0 + (long)j * i + col];
            su += xv * wu[w0 + (long)j * i + col];
        }
        g[index] = sg;
        u[index] = su;
    }

    private static void Down(Index1D index, ArrayView<float> a, ArrayView<int> expertOfRow, ArrayView<float> wd, ArrayView<float> y, int i, int h)
    {
        var row = index.X / h;
        var col = index.X - row * h;
        var w0 = (long)expertOfRow[row] * i * h;
        var aRow = (long)row * i;
        var sum = 0f;
        for (var j = 0; j < i; j++) sum += a[aRow + j] * wd[w0 + (long)j * h + col];
        y[index] = sum;
    }
}
