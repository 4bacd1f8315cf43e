using Google.OrTools.Sat;

namespace MoESim.Placement;

/// <summary>
/// One layer's placement as a CP-SAT model (MoETuner style, placement.yaml id moetuner, but with
/// compute and communication in one min-max objective). Binary x[p, d] puts expert copy p on
/// device d; on several nodes, y[p, n] = Σ_{d in n} x[p, d] says which node holds it. Minimise T
/// with, for every device, T ≥ compute + intra-node comm + inter-node comm, compute ≥ pairs ×
/// s/pair and ≥ copies × s/copy, comm ≥ in-bytes / bandwidth and ≥ out-bytes / bandwidth.
/// </summary>
/// <remarks>
/// With the previous layer fixed (<see cref="LayerFlows"/>), every byte count is linear in x and
/// y (<see cref="IlpLayerCoefficients"/>), with O(copies) terms per device. Copies of one expert
/// are ordered by device index, which both keeps them on distinct devices and removes their
/// symmetry. Given a node for every copy (stage 2 of the decomposition, <see cref="IlpNodeModel"/>),
/// the model covers one node only: its copies on its devices, with y fixed, and its objective
/// is exactly that node's slowest device. Times are integers in units of
/// <see cref="IlpLayerCoefficients.UnitSeconds"/>.
/// </remarks>
internal sealed class IlpLayerModel
{
    private readonly BoolVar[,] _x;
    private readonly BoolVar[,]? _y;
    private readonly IntVar[] _pairs, _count, _intra, _inter;
    private readonly IlpLayerCoefficients _c;
    private readonly int[] _items, _deviceIds, _nodeOfCopy;
    private readonly int _devices, _perNode;

    /// <param name="c">The layer's coefficients.</param>
    /// <param name="slots">Copies a device may hold.</param>
    /// <param name="nodeOfCopy">Null for the whole layer; else the node of every copy, and the model places node <paramref name="node"/>'s copies on its devices.</param>
    /// <param name="node">The node to place when <paramref name="nodeOfCopy"/> is given.</param>
    public IlpLayerModel(IlpLayerCoefficients c, int slots, int[]? nodeOfCopy = null, int node = 0)
    {
        _c = c;
        _devices = c.IntraIn.Constant.Length;
        _perNode = _devices / c.Nodes;
        _nodeOfCopy = nodeOfCopy ?? Array.Empty<int>();
        _items = nodeOfCopy is null ? Enumerable.Range(0, c.Copies).ToArray() : Enumerable.Range(0, c.Copies).Where(p => nodeOfCopy[p] == node).ToArray();
        _deviceIds = nodeOfCopy is null ? Enumerable.Range(0, _devices).ToArray() : Enumerable.Range(node * _perNode, _perNode).ToArray();
        int n = _items.Length, m = _deviceIds.Length;

        Model = new CpModel();
        _x = new BoolVar[n, m];
        for (var i = 0; i < n; i++)
        {
            var row = new BoolVar[m];
            for (var j = 0; j < m; j++) row[j] = _x[i, j] = Model.NewBoolVar($"x{_items[i]}_{_deviceIds[j]}");
            Model.AddExactlyOne(row);
        }
        if (nodeOfCopy is null && c.Nodes > 1)
        {
            _y = new BoolVar[n, c.Nodes];
            for (var i = 0; i < n; i++)
                for (var k = 0; k < c.Nodes; k++)
                {
                    _y[i, k] = Model.NewBoolVar($"y{_items[i]}_{k}");
                    var inNode = LinearExpr.NewBuilder();
                    for (var d = k * _perNode; d < (k + 1) * _perNode; d++) inNode.Add(_x[i, d]);
                    Model.Add(_y[i, k] == inNode);
                }
        }
        // Copies of one expert on strictly increasing devices: distinct devices, no symmetric twins.
        for (var i = 1; i < n; i++)
        {
            if (c.ExpertOfCopy[_items[i]] != c.ExpertOfCopy[_items[i - 1]]) continue;
            var order = LinearExpr.NewBuilder();
            for (var j = 1; j < m; j++) { order.AddTerm(_x[i, j], j); order.AddTerm(_x[i - 1, j], -j); }
            Model.Add(order >= 1);
        }

        var upper = c.UpperBoundUnits;
        Objective = Model.NewIntVar(nodeOfCopy is null ? Math.Min(c.LowerBoundUnits, upper) : 0, upper, "T");
        _pairs = new IntVar[m];
        _count = new IntVar[m];
        _intra = new IntVar[m];
        _inter = new IntVar[m];
        for (var j = 0; j < m; j++)
        {
            var pairs = LinearExpr.NewBuilder();
            var count = LinearExpr.NewBuilder();
            for (var i = 0; i < n; i++) { pairs.AddTerm(_x[i, j], c.PairUnits[_items[i]]); count.Add(_x[i, j]); }
            _pairs[j] = Model.NewIntVar(0, upper, $"pairs{j}");
            Model.Add(_pairs[j] == pairs);
            _count[j] = Model.NewIntVar(0, slots, $"copies{j}");
            Model.Add(_count[j] == count);
            _intra[j] = Model.NewIntVar(0, upper, $"intra{j}");
            Model.Add(_intra[j] >= Expr(c.IntraIn, j));
            Model.Add(_intra[j] >= Expr(c.IntraOut, j));
            LinearExpr comm = _intra[j];
            if (c.Nodes > 1)
            {
                _inter[j] = Model.NewIntVar(0, upper, $"inter{j}");
                Model.Add(_inter[j] >= Expr(c.InterIn, j));
                Model.Add(_inter[j] >= Expr(c.InterOut, j));
                comm = _intra[j] + _inter[j];
            }
            Model.Add(Objective >= _pairs[j] + comm);
            Model.Add(Objective >= c.CopyUnits * _count[j] + comm);
        }
        Model.Minimize(Objective);
    }

    public CpModel Model { get; }
    public IntVar Objective { get; }

    private LinearExpr Expr(IlpLayerCoefficients.Bytes term, int j)
    {
        var d = _deviceIds[j];
        var node = d / _perNode;
        var e = LinearExpr.NewBuilder().Add(term.Constant[d]);
        if (_y is null && _nodeOfCopy.Length > 0)
        {
            // Node fixed: y[p, node(d)] is 1 for this node's copies, 0 for the others.
            var fixedY = 0L;
            foreach (var p in _items) fixedY += term.Y[p * _devices + d];
            e.Add(fixedY);
        }
        for (var i = 0; i < _items.Length; i++)
        {
            var p = _items[i];
            var a = term.X[p * _devices + d];
            if (a != 0) e.AddTerm(_x[i, j], a);
            if (_y is null) continue;
            var b = term.Y[p * _devices + d];
            if (b != 0) e.AddTerm(_y[i, node], b);
        }
        return e;
    }

    /// <summary>
    /// Sets a complete hint (every variable) from host[p], the device of every copy (e.g. the
    /// greedy packing), so CP-SAT starts from it as a feasible solution. Returns the hint's
    /// objective in units: the slowest device of the modelled ones.
    /// </summary>
    public long Hint(int[] host)
    {
        for (var i = 0; i < _items.Length; i++)
        {
            var h = host[_items[i]];
            for (var j = 0; j < _deviceIds.Length; j++) Model.AddHint(_x[i, j], _deviceIds[j] == h);
            if (_y is null) continue;
            for (var k = 0; k < _c.Nodes; k++) Model.AddHint(_y[i, k], h / _perNode == k);
        }
        var objective = 0L;
        for (var j = 0; j < _deviceIds.Length; j++)
        {
            var (pairs, count, intra, inter) = _c.DeviceUnits(host, _deviceIds[j]);
            Model.AddHint(_pairs[j], pairs);
            Model.AddHint(_count[j], count);
            Model.AddHint(_intra[j], intra);
            if (_c.Nodes > 1) Model.AddHint(_inter[j], inter);
            objective = Math.Max(objective, Math.Max(pairs, _c.CopyUnits * count) + intra + inter);
        }
        Model.AddHint(Objective, objective);
        return objective;
    }

    /// <summary>Writes the solved device of every modelled copy into host[p].</summary>
    public void ReadHosts(CpSolver solver, int[] host)
    {
        for (var i = 0; i < _items.Length; i++)
            for (var j = 0; j < _deviceIds.Length; j++)
                if (solver.BooleanValue(_x[i, j])) { host[_items[i]] = _deviceIds[j]; break; }
    }
}
