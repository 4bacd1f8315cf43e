using ILGPU;
using ILGPU.Runtime;
using MoESim.Bench.Kernels;

namespace MoESim.Bench.Cases;

/// <summary>
/// Grouped SwiGLU FFN over a skewed routing (E experts, hidden H, intermediate I). With
/// <c>withDispatch</c> it is the whole MoE layer on one device: gather tokens into
/// expert-sorted rows, grouped FFN, gate-weighted combine back to token order.
/// </summary>
public sealed class GroupedFfnCase : BenchCase
{
    private readonly SkewedRouting _routing;
    private readonly int _h, _i;
    private readonly bool _withDispatch;
    private readonly float[] _x, _wg, _wu, _wd;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _dx, _sorted, _dwg, _dwu, _dwd, _g, _u, _a, _expertOut, _y, _gate;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _source, _expertOfRow, _slotOf;
    private readonly Dictionary<long, double[]> _rows = new();

    public GroupedFfnCase(KernelSet kernels, ulong seed, SkewedRouting routing, int h, int i, bool withDispatch) : base(kernels, seed)
    {
        (_routing, _h, _i, _withDispatch) = (routing, h, i, withDispatch);
        var rows = routing.Rows;
        // Without dispatch the FFN reads already-sorted rows: X is the sorted buffer itself.
        (_dx, _x) = Floats((long)(withDispatch ? routing.Tokens : rows) * h);
        _sorted = withDispatch ? Scratch((long)rows * h) : _dx;
        var scale = 2f / h;
        (_dwg, _wg) = Floats((long)routing.Experts * h * i, 0, scale);
        (_dwu, _wu) = Floats((long)routing.Experts * h * i, 0, scale);
        (_dwd, _wd) = Floats((long)routing.Experts * i * h);
        _g = Scratch((long)rows * i);
        _u = Scratch((long)rows * i);
        _a = Scratch((long)rows * i);
        _expertOut = Scratch((long)rows * h);
        _y = Scratch((long)routing.Tokens * h);
        _source = Ints(routing.SourceToken);
        _expertOfRow = Ints(routing.ExpertOfRow);
        _slotOf = Ints(routing.SlotOfPair);
        _gate = Upload(routing.GateWeights);
        CheckSamples = 16;
    }

    public override void Enqueue()
    {
        var rows = _routing.Rows;
        if (_withDispatch) Kernels.GatherScatter.Gather(_dx.View, _source.View, _sorted.View, rows, _h);
        Kernels.GroupedFfn.Run(_sorted.View, _expertOfRow.View, _dwg.View, _dwu.View, _dwd.View, _g.View, _u.View, _a.View, _expertOut.View, rows, _h, _i);
        if (_withDispatch) Kernels.GatherScatter.Combine(_expertOut.View, _slotOf.View, _gate.View, _y.View, _routing.Tokens, _h, _routing.TopK);
    }

    protected override MemoryBuffer1D<float, Stride1D.Dense> Output => _withDispatch ? _y : _expertOut;

    /// <summary>FFN output of sorted row <paramref name="row"/> at column <paramref name="col"/>.</summary>
    private double RowOutput(long row, int col)
    {
        var e = _routing.ExpertOfRow[row];
        var xRow = _withDispatch ? _routing.SourceToken[row] : row;
        if (!_rows.TryGetValue(row, out var a))
            _rows[row] = a = ReferenceMath.SwiGluRow(_x, xRow, _wg, _wu, (long)e * _h * _i, _h, _i);
        return ReferenceMath.Down(a, _wd, (long)e * _i * _h, _h, col);
    }

    protected override double ReferenceAt(long index)
    {
        var col = (int)(index % _h);
        if (!_withDispatch) return RowOutput(index / _h, col);
        var token = index / _h;
        var sum = 0.0;
        for (var j = 0; j < _routing.TopK; j++)
        {
            var pair = token * _routing.TopK + j;
            sum += _routing.GateWeights[pair] * RowOutput(_routing.SlotOfPair[pair], col);
        }
        return sum;
    }
}
