using ILGPU;
using ILGPU.Runtime;
using MoESim.Bench.Kernels;

namespace MoESim.Bench.Cases;

/// <summary>Decode attention of B sequences over L cached tokens each.</summary>
public sealed class AttentionDecodeCase : BenchCase
{
    private readonly AttentionShape _s;
    private readonly float[] _q, _k, _v;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _dq, _dk, _dv, _scores, _o;

    public AttentionDecodeCase(KernelSet kernels, ulong seed, AttentionShape shape) : base(kernels, seed)
    {
        _s = shape;
        (_dq, _q) = Floats((long)shape.Batch * shape.Heads * shape.HeadDim);
        var cache = (long)shape.Batch * shape.Context * shape.KvHeads * shape.HeadDim;
        (_dk, _k) = Floats(cache);
        (_dv, _v) = Floats(cache);
        _scores = Scratch((long)shape.Batch * shape.Heads * shape.Context);
        _o = Scratch((long)shape.Batch * shape.Heads * shape.HeadDim);
    }

    public override void Enqueue() => Kernels.Attention.Run(_dq.View, _dk.View, _dv.View, _scores.View, _o.View, _s);

    protected override MemoryBuffer1D<float, Stride1D.Dense> Output => _o;

    protected override double ReferenceAt(long index)
    {
        var s = _s;
        var d = index % s.HeadDim;
        var bh = index / s.HeadDim;
        var head = bh % s.Heads;
        var b = bh / s.Heads;
        var kvHead = head / (s.Heads / s.KvHeads);
        var scores = new double[s.Context];
        var max = double.MinValue;
        for (var l = 0; l < s.Context; l++)
        {
            var k0 = ((b * s.Context + l) * s.KvHeads + kvHead) * s.HeadDim;
            scores[l] = ReferenceMath.Dot(_q, bh * s.HeadDim, 1, _k, k0, 1, s.HeadDim) / Math.Sqrt(s.HeadDim);
            max = Math.Max(max, scores[l]);
        }
        double total = 0, sum = 0;
        for (var l = 0; l < s.Context; l++)
        {
            var e = Math.Exp(scores[l] - max);
            total += e;
            sum += e * _v[((b * s.Context + l) * s.KvHeads + kvHead) * s.HeadDim + d];
        }
        return sum / total;
    }
}
