using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace MoESim.Bench.Kernels;

/// <summary>
/// One expert's SwiGLU FFN over M tokens, as three kernels: gate/up (G = X·Wg and U = X·Wu,
/// X[M×H], Wg and Wu [H×I]), activation (A = silu(G) ⊙ U) and down (Y = A·Wd, Wd [I×H]).
/// </summary>
public sealed class SwiGluKernels
{
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> _gateUp;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>> _activation;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> _down;

    public SwiGluKernels(Accelerator accelerator)
    {
        _gateUp = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(GateUp);
        _activation = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>>(Activation);
        _down = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(Down);
    }

    /// <summary>Queues the three kernels; g, u and a are M×I scratch, y is M×H.</summary>
    public void Run(ArrayView<float> x, ArrayView<float> wg, ArrayView<float> wu, ArrayView<float> wd,
        ArrayView<float> g, ArrayView<float> u, ArrayView<float> a, ArrayView<float> y, int m, int h, int i)
    {
        _gateUp((int)((long)m * i), x, wg, wu, g, u, h, i);
        RunActivation(g, u, a);
        _down((int)((long)m * h), a, wd, y, i, h);
    }

    /// <summary>Queues a = silu(g) ⊙ u over every element of g.</summary>
    public void RunActivation(ArrayView<float> g, ArrayView<float> u, ArrayView<float> a) => _activation((int)g.Length, g, u, a);

    /// <summary>SiLU (x·sigmoid(x)), the same formula the C# reference uses.</summary>
    public static float Silu(float x) => x / (1f + XMath.Exp(-x));

    private static void GateUp(Index1D index, ArrayView<float> x, ArrayView<float> wg, ArrayView<float> wu,
        ArrayView<float> g, ArrayView<float> u, int h, int i)
    {
        var row = index.X / i;
        var col = index.X - row * i;
        var xRow = (long)row * h;
        float sg = 0f, su = 0f;
        for (var j = 0; j < h; j++)
        {
            var xv = x[xRow + j];
            sg += xv * wg[(long)j * i + col];
            su += xv * wu[(long)j * i + col];
        }
        g[index] = sg;
        u[index] = su;
    }

    private static void Activation(Index1D index, ArrayView<float> g, ArrayView<float> u, ArrayView<float> a) =>
        a[index] = Silu(g[index]) * u[index];

    private static void Down(Index1D index, ArrayView<float> a, ArrayView<float> wd, ArrayView<float> y, int i, int h)
    {
        var row = index.X / h;
        var col = index.X - row * h;
        var aRow = (long)row * i;
        var sum = 0f;
        for (var j = 0; j < i; j++) sum += a[aRow + j] * wd[(long)j * h + col];
        y[index] = sum;
    }
}
