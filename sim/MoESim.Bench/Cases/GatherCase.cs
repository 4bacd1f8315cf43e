using ILGPU;
using ILGPU.Runtime;
using MoESim.Bench.Kernels;

namespace MoESim.Bench.Cases;

/// <summary>Dispatch within a device: gather tokens × top-k rows of width H into expert order.</summary>
public sealed class GatherCase : BenchCase
{
    private readonly SkewedRouting _routing;
    private readonly int _h;
    private readonly float[] _x;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _dx, _sorted;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _source;

    public GatherCase(KernelSet kernels, ulong seed, SkewedRouting routing, int h) : base(kernels, seed)
    {
        (_routing, _h) = (routing, h);
        (_dx, _x) = Floats((long)routing.Tokens * h);
        _sorted = Scratch((long)routing.Rows * h);
        _source = Ints(routing.SourceToken);
    }

    public override void Enqueue() => Kernels.GatherScatter.Gather(_dx.View, _source.View, _sorted.View, _routing.Rows, _h);

    protected override MemoryBuffer1D<float, Stride1D.Dense> Output => _sorted;

    protected override double ReferenceAt(long index) => _x[(long)_routing.SourceToken[index / _h] * _h + index % _h];
}
