using ILGPU;
using ILGPU.Runtime;
using MoESim.Bench.Kernels;

namespace MoESim.Bench.Cases;

/// <summary>One expert's SwiGLU FFN over M tokens (hidden H, intermediate I).</summary>
public sealed class SwiGluCase : BenchCase
{
    private readonly int _m, _h, _i;
    private readonly float[] _x, _wg, _wu, _wd;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _dx, _dwg, _dwu, _dwd, _g, _u, _a, _y;
    private readonly Dictionary<long, double[]> _rows = new();

    public SwiGluCase(KernelSet kernels, ulong seed, int m, int h, int i) : base(kernels, seed)
    {
        (_m, _h, _i) = (m, h, i);
        (_dx, _x) = Floats((long)m * h);
        // Small weights keep the gate pre-activations near 1, where SiLU is neither flat nor linear.
        var scale = 2f / h;
        (_dwg, _wg) = Floats((long)h * i, 0, scale);
        (_dwu, _wu) = Floats((long)h * i, 0, scale);
        (_dwd, _wd) = Floats((long)i * h);
        _g = Scratch((long)m * i);
        _u = Scratch((long)m * i);
        _a = Scratch((long)m * i);
        _y = Scratch((long)m * h);
    }

    public override void Enqueue() =>
        Kernels.SwiGlu.Run(_dx.View, _dwg.View, _dwu.View, _dwd.View, _g.View, _u.View, _a.View, _y.View, _m, _h, _i);

    protected override MemoryBuffer1D<float, Stride1D.Dense> Output => _y;

    protected override double ReferenceAt(long index)
    {
        var row = index / _h;
        if (!_rows.TryGetValue(row, out var a)) _rows[row] = a = ReferenceMath.SwiGluRow(_x, row, _wg, _wu, 0, _h, _i);
        return ReferenceMath.Down(a, _wd, 0, _h, (int)(index % _h));
    }
}
