using Google.OrTools.Sat;

namespace MoESim.Placement;

/// <summary>
/// Stage 1 of the decomposed layer model (after MoETuner's split into clusters, then devices;
/// placement.yaml id moetuner): binary y[p, n] puts expert copy p on node n; minimise T with,
/// for every node, devices-per-node × T ≥ the node's compute + intra-node comm + inter-node comm,
/// summed over its devices. Stage 2 (<see cref="IlpLayerModel"/> with the nodes fixed) then
/// places each node's copies on its devices.
/// </summary>
/// <remarks>
/// The node model is a relaxation of the full layer model: a node's slowest device is no faster
/// than its mean device; Σ_d max(in_d, out_d) ≥ max(Σ in, Σ out); a device's compute is at least
/// its pairs and at least its copies; and a copy's own-device term is taken at the cheapest
/// device of its node. So its proven bound is a lower bound on the whole layer's optimum (in the
/// same integer units), and the decomposition's gap can be stated against it.
/// </remarks>
internal sealed class IlpNodeModel
{
    private readonly BoolVar[,] _y;
    private readonly int _nodes;

    public IlpNodeModel(IlpLayerCoefficients c, int slots)
    {
        _nodes = c.Nodes;
        int n = c.Copies, devices = c.IntraIn.Constant.Length, perNode = devices / _nodes;
        Model = new CpModel();
        _y = new BoolVar[n, _nodes];
        for (var p = 0; p < n; p++)
        {
            var row = new BoolVar[_nodes];
            for (var k = 0; k < _nodes; k++) row[k] = _y[p, k] = Model.NewBoolVar($"y{p}_{k}");
            Model.AddExactlyOne(row);
        }
        // Copies of one expert on non-decreasing nodes (symmetry), at most one per device of a node.
        for (int p = 0, e = 0; p < n; e++)
        {
            var first = p;
            while (p < n && c.ExpertOfCopy[p] == e) p++;
            for (var q = first + 1; q < p; q++)
            {
                var order = LinearExpr.NewBuilder();
                for (var k = 1; k < _nodes; k++) { order.AddTerm(_y[q, k], k); order.AddTerm(_y[q - 1, k], -k); }
                Model.Add(order >= 0);
            }
            if (p - first <= perNode) continue;
            for (var k = 0; k < _nodes; k++)
            {
                var twins = LinearExpr.NewBuilder();
                for (var q = first; q < p; q++) twins.Add(_y[q, k]);
                Model.Add(twins <= perNode);
            }
        }

        Objective = Model.NewIntVar(Math.Min(c.LowerBoundUnits, c.UpperBoundUnits), c.UpperBoundUnits, "T");
        _perNode = perNode;
        _terms = new List<(long[] Coefficients, long Constant)>[_nodes];
        for (var k = 0; k < _nodes; k++)
        {
            var count = LinearExpr.NewBuilder();
            for (var p = 0; p < n; p++) count.Add(_y[p, k]);
            Model.Add(count <= slots * perNode);
            // Every choice of compute term and link direction is a valid bound on the node's sum
            // (max of sums ≤ sum of maxima), so all eight are constraints and none needs an auxiliary variable.
            _terms[k] = new List<(long[], long)>();
            var copyUnits = new long[n];
            Array.Fill(copyUnits, c.CopyUnits);
            foreach (var compute in new[] { c.PairUnits, copyUnits })
                foreach (var intra in new[] { c.IntraIn, c.IntraOut })
                    foreach (var inter in new[] { c.InterIn, c.InterOut })
                    {
                        var (a, a0) = NodeSum(c, intra, k);
                        var (b, b0) = NodeSum(c, inter, k);
                        var coefficients = new long[n];
                        var sum = LinearExpr.NewBuilder().Add(a0 + b0);
                        for (var p = 0; p < n; p++)
                        {
                            coefficients[p] = compute[p] + a[p] + b[p];
                            if (coefficients[p] != 0) sum.AddTerm(_y[p, k], coefficients[p]);
                        }
                        Model.Add(perNode * Objective >= sum);
                        _terms[k].Add((coefficients, a0 + b0));
                    }
        }
        Model.Minimize(Objective);
    }

    private readonly int _perNode;
    private readonly List<(long[] Coefficients, long Constant)>[] _terms;

    public CpModel Model { get; }
    public IntVar Objective { get; }

    /// <summary>Σ over node k's devices of a byte term as per-copy coefficients of y[p, k] (each copy's x term at its cheapest device of the node) and a constant.</summary>
    private (long[] Coefficients, long Constant) NodeSum(IlpLayerCoefficients c, IlpLayerCoefficients.Bytes term, int k)
    {
        int devices = term.Constant.Length, perNode = devices / _nodes;
        var constant = 0L;
        for (var d = k * perNode; d < (k + 1) * perNode; d++) constant += term.Constant[d];
        var coefficients = new long[c.Copies];
        for (var p = 0; p < c.Copies; p++)
        {
            var cheapest = long.MaxValue;
            var y = 0L;
            for (var d = k * perNode; d < (k + 1) * perNode; d++)
            {
                cheapest = Math.Min(cheapest, term.X[p * devices + d]);
                y += term.Y[p * devices + d];
            }
            coefficients[p] = cheapest + y;
        }
        return (coefficients, constant);
    }

    /// <summary>Hints the nodes of a placement (host[p] = device of copy p) and the objective they give; returns it, units.</summary>
    public long Hint(int[] host)
    {
        for (var p = 0; p < host.Length; p++)
            for (var k = 0; k < _nodes; k++) Model.AddHint(_y[p, k], host[p] / _perNode == k);
        var objective = 0L;
        for (var k = 0; k < _nodes; k++)
            foreach (var (coefficients, constant) in _terms[k])
            {
                var sum = constant;
                for (var p = 0; p < host.Length; p++) if (host[p] / _perNode == k) sum += coefficients[p];
                objective = Math.Max(objective, (sum + _perNode - 1) / _perNode);
            }
        objective = Math.Max(objective, Objective.Domain.Min());
        Model.AddHint(Objective, objective);
        return objective;
    }

    /// <summary>The solved node of every copy.</summary>
    public int[] Nodes(CpSolver solver)
    {
        var nodes = new int[_y.GetLength(0)];
        for (var p = 0; p < nodes.Length; p++)
            for (var k = 0; k < _nodes; k++)
                if (solver.BooleanValue(_y[p, k])) { nodes[p] = k; break; }
        return nodes;
    }
}
