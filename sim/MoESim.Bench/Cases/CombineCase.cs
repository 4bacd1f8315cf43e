using ILGPU;
using ILGPU.Runtime;
using MoESim.Bench.Kernels;

namespace MoESim.Bench.Cases;

/// <summary>Combine within a device: each token's output is the gate-weighted sum of its top-k expert rows.</summary>
public sealed class CombineCase : BenchCase
{
    private readonly SkewedRouting _routing;
    private readonly int _h;
    private readonly float[] _expertOut;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _dexpertOut, _gate, _y;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _slotOf;

    public CombineCase(KernelSet kernels, ulong seed, SkewedRouting routing, int h) : base(kernels, seed)
    {
        (_routing, _h) = (routing, h);
        (_dexpertOut, _expertOut) = Floats((long)routing.Rows * h);
        _gate = Upload(routing.GateWeights);
        _slotOf = Ints(routing.SlotOfPair);
        _y = Scratch((long)routing.Tokens * h);
    }

    public override void Enqueue() =>
        Kernels.GatherScatter.Combine(_dexpertOut.View, _slotOf.View, _gate.View, _y.View, _routing.Tokens, _h, _routing.TopK);

    protected override MemoryBuffer1D<float, Stride1D.Dense> Output => _y;

    protected override double ReferenceAt(long index)
    {
        var token = index / _h;
        var sum = 0.0;
        for (var j = 0; j < _routing.TopK; j++)
        {
            var pair = token * _routing.TopK + j;
            sum += (double)_routing.GateWeights[pair] * _expertOut[(long)_routing.SlotOfPair[pair] * _h + index % _h];
        }
        return sum;
    }
}
