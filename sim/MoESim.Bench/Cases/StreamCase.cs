using ILGPU;
using ILGPU.Runtime;
using MoESim.Bench.Kernels;

namespace MoESim.Bench.Cases;

/// <summary>Read, write or copy of <c>elements</c> fp32 values.</summary>
public sealed class StreamCase : BenchCase
{
    private const float WriteValue = 0.75f;
    private readonly StreamOp _op;
    private readonly float[] _source;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _dsource, _target;

    public StreamCase(KernelSet kernels, ulong seed, StreamOp op, long elements) : base(kernels, seed)
    {
        _op = op;
        (_dsource, _source) = Floats(elements);
        _target = Scratch(op == StreamOp.Read ? kernels.Stream.Threads : elements);
    }

    public override void Enqueue()
    {
        var s = Kernels.Stream;
        switch (_op)
        {
            case StreamOp.Read: s.Read(_dsource.View, _target.View); break;
            case StreamOp.Write: s.Write(_target.View, WriteValue); break;
            default: s.Copy(_dsource.View, _target.View); break;
        }
    }

    protected override MemoryBuffer1D<float, Stride1D.Dense> Output => _target;

    protected override double ReferenceAt(long index)
    {
        if (_op == StreamOp.Write) return WriteValue;
        if (_op == StreamOp.Copy) return _source[index];
        var sum = 0.0;
        for (var i = index; i < _source.LongLength; i += Kernels.Stream.Threads) sum += _source[i];
        return sum;
    }
}
