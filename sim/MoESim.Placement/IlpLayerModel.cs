using Google.OrTools.Sat;

namespace MoESim.Placement;

/// <summary>
/// One layer's placement as a CP-SAT model (MoETuner style, placement.yaml id moetuner, but
/// with compute and communication in one min-max objective): binary x[p, d] puts expert copy p
/// on device d; minimise T with, for every device, T ≥ compute + intra-node comm + inter-node
/// comm, compute ≥ pairs × s/pair and ≥ copies × s/copy, comm ≥ in-bytes / bandwidth and ≥
/// out-bytes / bandwidth. Bytes come from <see cref="LayerFlows"/> with the previous layer fixed,
/// which makes cross-layer co-activation a linear term. Times are integers in units of
/// <see cref="UnitSeconds"/>.
/// </summary>
internal sealed class IlpLayerModel
{
    private readonly BoolVar[,] _x;
    private readonly int[] _expertOfCopy;
    private readonly int _devices;

    /// <param name="loads">Per-expert token-expert pairs per step.</param>
    /// <param name="copies">Copies per expert (each serves 1/copies of its tokens).</param>
    /// <param name="inBytes">[expert × devices + source]: bytes per step into the expert.</param>
    /// <param name="outBytes">[expert × devices + destination]: bytes per step out of the expert.</param>
    /// <param name="problem">System, expert cost and token path.</param>
    /// <param name="slots">Copies a device may hold.</param>
    public IlpLayerModel(double[] loads, int[] copies, double[] inBytes, double[] outBytes, PlacementProblem problem, int slots)
    {
        var system = problem.System;
        _devices = system.NumDevices;
        int devices = _devices, experts = loads.Length;
        var expertOfCopy = new List<int>();
        for (var e = 0; e < experts; e++) for (var c = 0; c < copies[e]; c++) expertOfCopy.Add(e);
        _expertOfCopy = expertOfCopy.ToArray();
        var n = _expertOfCopy.Length;

        // Unit: about a millionth of the mean device's compute time, so rounding each
        // coefficient costs at most ~1e-6 of the objective per term.
        var meanCompute = Math.Max(loads.Sum() / devices * problem.Time.SecondsPerTokenPair, (double)n / devices * problem.Time.SecondsPerResidentExpert);
        UnitSeconds = meanCompute > 0 ? meanCompute / 1e6 : 1e-12;
        long Units(double seconds) => (long)Math.Round(seconds / UnitSeconds);

        Model = new CpModel();
        _x = new BoolVar[n, devices];
        for (var p = 0; p < n; p++)
            for (var d = 0; d < devices; d++) _x[p, d] = Model.NewBoolVar($"x{p}_{d}");
        for (var p = 0; p < n; p++)
        {
            var row = new BoolVar[devices];
            for (var d = 0; d < devices; d++) row[d] = _x[p, d];
            Model.AddExactlyOne(row);
        }
        for (var d = 0; d < devices; d++)
        {
            var column = new BoolVar[n];
            for (var p = 0; p < n; p++) column[p] = _x[p, d];
            Model.Add(LinearExpr.Sum(column) <= slots);
        }
        for (int p = 0, e = 0; e < experts; p += copies[e], e++)
        {
            if (copies[e] < 2) continue;
            for (var d = 0; d < devices; d++)
            {
                var same = new BoolVar[copies[e]];
                for (var c = 0; c < copies[e]; c++) same[c] = _x[p + c, d];
                Model.AddAtMostOne(same);
            }
        }

        var upper = 0L;
        var pairUnits = new long[n];
        for (var p = 0; p < n; p++) pairUnits[p] = Units(loads[_expertOfCopy[p]] / copies[_expertOfCopy[p]] * problem.Time.SecondsPerTokenPair);
        var copyUnits = Units(problem.Time.SecondsPerResidentExpert);
        upper += Math.Max(pairUnits.Sum(), copyUnits * n);
        var totalBytes = inBytes.Sum() + outBytes.Sum();
        upper += Units(totalBytes / system.IntraNodeBytesPerSecond) + Units(totalBytes / system.InterNodeBytesPerSecond) + 1;
        Objective = Model.NewIntVar(0, upper, "T");
        var multiNode = system.DevicesPerNode < devices;
        for (var d = 0; d < devices; d++)
        {
            var pairs = LinearExpr.NewBuilder();
            var resident = LinearExpr.NewBuilder();
            for (var p = 0; p < n; p++)
            {
                pairs.AddTerm(_x[p, d], pairUnits[p]);
                resident.AddTerm(_x[p, d], copyUnits);
            }
            var intra = Model.NewIntVar(0, upper, $"intra{d}");
            AddCommBounds(intra, d, sameNode: true, copies, inBytes, outBytes, system, system.IntraNodeBytesPerSecond, Units);
            LinearExpr comm = intra;
            if (multiNode)
            {
                var inter = Model.NewIntVar(0, upper, $"inter{d}");
                AddCommBounds(inter, d, sameNode: false, copies, inBytes, outBytes, system, system.InterNodeBytesPerSecond, Units);
                comm = intra + inter;
            }
            Model.Add(Objective >= pairs + comm);
            Model.Add(Objective >= resident + comm);
        }
        Model.Minimize(Objective);
    }

    public CpModel Model { get; }
    public IntVar Objective { get; }
    /// <summary>Seconds per objective unit.</summary>
    public double UnitSeconds { get; }

    /// <summary>
    /// comm ≥ bytes into device d from the chosen node class / bandwidth, and ≥ bytes out. Bytes
    /// into d: copies on d receive from other devices; copies elsewhere send their outflow to d.
    /// </summary>
    private void AddCommBounds(IntVar comm, int d, bool sameNode, int[] copies, double[] inBytes, double[] outBytes, PlacementSystem system, double bandwidth, Func<double, long> units)
    {
        int devices = _devices, n = _expertOfCopy.Length;
        var nodeOfD = system.NodeOf(d);
        bool InClass(int other) => other != d && (system.NodeOf(other) == nodeOfD) == sameNode;
        var into = LinearExpr.NewBuilder();
        var outOf = LinearExpr.NewBuilder();
        for (var p = 0; p < n; p++)
        {
            var e = _expertOfCopy[p];
            var share = 1.0 / copies[e];
            double receiveIfHere = 0, sendIfHere = 0;
            for (var a = 0; a < devices; a++)
            {
                if (!InClass(a)) continue;
                receiveIfHere += inBytes[e * devices + a];
                sendIfHere += outBytes[e * devices + a];
            }
            into.AddTerm(_x[p, d], units(share * receiveIfHere / bandwidth));
            outOf.AddTerm(_x[p, d], units(share * sendIfHere / bandwidth));
            // A copy on another device of the class sends its outflow for d to d, and receives d's inflow for it.
            var toD = units(share * outBytes[e * devices + d] / bandwidth);
            var fromD = units(share * inBytes[e * devices + d] / bandwidth);
            if (toD == 0 && fromD == 0) continue;
            for (var other = 0; other < devices; other++)
            {
                if (!InClass(other)) continue;
                if (toD != 0) into.AddTerm(_x[p, other], toD);
                if (fromD != 0) outOf.AddTerm(_x[p, other], fromD);
            }
        }
        Model.Add(comm >= into);
        Model.Add(comm >= outOf);
    }

    /// <summary>Suggests a starting solution (e.g. the greedy packing): hosts[e] lists the devices of expert e's copies.</summary>
    public void Hint(int[][] hosts)
    {
        var next = new int[hosts.Length];
        for (var p = 0; p < _expertOfCopy.Length; p++)
        {
            var e = _expertOfCopy[p];
            var host = hosts[e][next[e]++];
            for (var d = 0; d < _devices; d++) Model.AddHint(_x[p, d], d == host);
        }
    }

    /// <summary>The solved hosts per expert.</summary>
    public int[][] Hosts(CpSolver solver, int experts)
    {
        var hosts = new List<int>[experts];
        for (var e = 0; e < experts; e++) hosts[e] = new List<int>();
        for (var p = 0; p < _expertOfCopy.Length; p++)
            for (var d = 0; d < _devices; d++)
                if (solver.BooleanValue(_x[p, d])) { hosts[_expertOfCopy[p]].Add(d); break; }
        return hosts.Select(h => h.ToArray()).ToArray();
    }
}
