using ILGPU;
using ILGPU.Runtime;
using MoESim.Bench.Kernels;

namespace MoESim.Bench.Cases;

/// <summary>y[N] = x[K]·W[K×N].</summary>
public sealed class GemvCase : BenchCase
{
    private readonly int _n, _k;
    private readonly float[] _x, _w;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _dx, _dw, _dy;

    public GemvCase(KernelSet kernels, ulong seed, int n, int k) : base(kernels, seed)
    {
        (_n, _k) = (n, k);
        (_dx, _x) = Floats(k);
        (_dw, _w) = Floats((long)k * n);
        _dy = Scratch(n);
    }

    public override void Enqueue() => Kernels.Gemv.Run(_dx.View, _dw.View, _dy.View, _n, _k);

    protected override MemoryBuffer1D<float, Stride1D.Dense> Output => _dy;

    protected override double ReferenceAt(long index) => ReferenceMath.Dot(_x, 0, 1, _w, index, _n, _k);
}
