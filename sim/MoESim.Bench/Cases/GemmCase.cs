using ILGPU;
using ILGPU.Runtime;
using MoESim.Bench.Kernels;

namespace MoESim.Bench.Cases;

/// <summary>C[M×N] = A[M×K]·B[K×N] with the naive or tiled kernel.</summary>
public sealed class GemmCase : BenchCase
{
    private readonly int _m, _n, _k;
    private readonly bool _tiled;
    private readonly float[] _a, _b;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _da, _db, _dc;

    public GemmCase(KernelSet kernels, ulong seed, int m, int n, int k, bool tiled) : base(kernels, seed)
    {
        (_m, _n, _k, _tiled) = (m, n, k, tiled);
        (_da, _a) = Floats((long)m * k);
        (_db, _b) = Floats((long)k * n);
        _dc = Scratch((long)m * n);
    }

    public override void Enqueue()
    {
        if (_tiled) Kernels.Gemm.Tiled(_da.View, _db.View, _dc.View, _m, _n, _k);
        else Kernels.Gemm.Naive(_da.View, _db.View, _dc.View, _m, _n, _k);
    }

    protected override MemoryBuffer1D<float, Stride1D.Dense> Output => _dc;

    protected override double ReferenceAt(long index) => ReferenceMath.Dot(_a, index / _n * _k, 1, _b, index % _n, _n, _k);
}
