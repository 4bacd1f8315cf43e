namespace MoESim.Placement;

/// <summary>
/// The integer coefficients of one layer's placement model (<see cref="IlpLayerModel"/>), kept
/// apart from the solver so they can be checked by hand: per expert copy p and device d, the
/// all-to-all time a device spends in each link class and direction as
/// <c>Constant[d] + Σ_p X[p, d]·x[p, d] + Σ_p Y[p, d]·y[p, node(d)]</c>, in units of
/// <see cref="UnitSeconds"/>.
/// </summary>
/// <remarks>
/// Bytes into device d inside its node: its copies receive their expert's bytes from the other
/// devices of the node (x term), and every copy elsewhere in the node sends d its bytes for d;
/// "elsewhere in the node" is y[p, node] − x[p, d]. Between nodes: its copies receive from
/// devices of other nodes (x term), and copies in other nodes, 1 − y[p, node], send to d. Out of
/// d is the same with the flows reversed. Each coefficient is rounded once, and the constants
/// are sums of the same rounded numbers, so the model's value of a placement is exact in units.
/// </remarks>
internal sealed class IlpLayerCoefficients
{
    /// <summary>One link class and direction: [copy × devices + device] coefficients and a per-device constant.</summary>
    internal sealed record Bytes(long[] X, long[] Y, long[] Constant);

    public IlpLayerCoefficients(double[] loads, int[] copies, double[] inBytes, double[] outBytes, PlacementProblem problem)
    {
        var system = problem.System;
        var devices = system.NumDevices;
        var perNode = system.DevicesPerNode;
        Nodes = devices / perNode;
        var expertOfCopy = new List<int>();
        for (var e = 0; e < loads.Length; e++) for (var c = 0; c < copies[e]; c++) expertOfCopy.Add(e);
        ExpertOfCopy = expertOfCopy.ToArray();
        var n = Copies;

        // Unit: about a millionth of the mean device's compute time, so rounding each
        // coefficient costs at most ~1e-6 of the objective per term.
        var meanCompute = Math.Max(loads.Sum() / devices * problem.Time.SecondsPerTokenPair, (double)n / devices * problem.Time.SecondsPerResidentExpert);
        UnitSeconds = meanCompute > 0 ? meanCompute / 1e6 : 1e-12;

        PairUnits = new long[n];
        for (var p = 0; p < n; p++) PairUnits[p] = Units(loads[ExpertOfCopy[p]] / copies[ExpertOfCopy[p]] * problem.Time.SecondsPerTokenPair);
        CopyUnits = Units(problem.Time.SecondsPerResidentExpert);

        IntraIn = New(n, devices);
        IntraOut = New(n, devices);
        InterIn = New(n, devices);
        InterOut = New(n, devices);
        double intraBw = system.IntraNodeBytesPerSecond, interBw = system.InterNodeBytesPerSecond;
        var nodeIn = new double[Nodes];
        var nodeOut = new double[Nodes];
        for (var p = 0; p < n; p++)
        {
            var e = ExpertOfCopy[p];
            var share = 1.0 / copies[e];
            Array.Clear(nodeIn);
            Array.Clear(nodeOut);
            double totalIn = 0, totalOut = 0;
            for (var a = 0; a < devices; a++)
            {
                nodeIn[a / perNode] += inBytes[e * devices + a];
                nodeOut[a / perNode] += outBytes[e * devices + a];
            }
            foreach (var v in nodeIn) totalIn += v;
            foreach (var v in nodeOut) totalOut += v;
            for (var d = 0; d < devices; d++)
            {
                var i = p * devices + d;
                var node = d / perNode;
                double fromD = share * inBytes[e * devices + d], toD = share * outBytes[e * devices + d];
                // Inside the node: y[p, node] − x[p, d] is "a copy on another device of d's node".
                var toDIntra = Units(toD / intraBw);
                var fromDIntra = Units(fromD / intraBw);
                IntraIn.X[i] = Units(share * (nodeIn[node] - inBytes[e * devices + d]) / intraBw) - toDIntra;
                IntraOut.X[i] = Units(share * (nodeOut[node] - outBytes[e * devices + d]) / intraBw) - fromDIntra;
                if (Nodes == 1)
                {
                    IntraIn.Constant[d] += toDIntra; // y = 1 on one node
                    IntraOut.Constant[d] += fromDIntra;
                    continue;
                }
                IntraIn.Y[i] = toDIntra;
                IntraOut.Y[i] = fromDIntra;
                // Between nodes: 1 − y[p, node] is "a copy in another node".
                var toDInter = Units(toD / interBw);
                var fromDInter = Units(fromD / interBw);
                InterIn.X[i] = Units(share * (totalIn - nodeIn[node]) / interBw);
                InterOut.X[i] = Units(share * (totalOut - nodeOut[node]) / interBw);
                InterIn.Y[i] = -toDInter;
                InterOut.Y[i] = -fromDInter;
                InterIn.Constant[d] += toDInter;
                InterOut.Constant[d] += fromDInter;
            }
        }
        UpperBoundUnits = Math.Max(PairUnits.Sum(), CopyUnits * n) + MaxValue(IntraIn, IntraOut) + MaxValue(InterIn, InterOut) + 1;
        LowerBoundUnits = AveragingBound(perNode);
    }

    /// <summary>
    /// A lower bound on the layer's objective that needs no search, units: the slowest device is
    /// no faster than the mean device, and the devices' times add up to the total compute plus,
    /// for either direction of each link class, the bytes every copy moves, at least what its
    /// cheapest host would give it (slots and distinct hosts ignored, which only lowers the bound).
    /// </summary>
    private long AveragingBound(int perNode)
    {
        var devices = IntraIn.Constant.Length;
        var compute = Math.Max(PairUnits.Sum(), CopyUnits * Copies);
        var best = 0L;
        foreach (var intra in new[] { IntraIn, IntraOut })
            foreach (var inter in new[] { InterIn, InterOut })
            {
                var comm = intra.Constant.Sum() + inter.Constant.Sum();
                for (var p = 0; p < Copies; p++)
                {
                    var cheapest = long.MaxValue;
                    for (var h = 0; h < devices; h++)
                    {
                        var i = p * devices + h;
                        var v = intra.X[i] + inter.X[i];
                        var first = h / perNode * perNode;
                        for (var d = first; d < first + perNode; d++) v += intra.Y[p * devices + d] + inter.Y[p * devices + d];
                        cheapest = Math.Min(cheapest, v);
                    }
                    comm += cheapest;
                }
                best = Math.Max(best, comm);
            }
        return (compute + best + devices - 1) / devices;
    }

    /// <summary>Expert copies (items) in the layer.</summary>
    public int Copies => ExpertOfCopy.Length;
    public int Nodes { get; }
    /// <summary>[copy]: its expert; copies of an expert are adjacent.</summary>
    public int[] ExpertOfCopy { get; }
    /// <summary>Seconds per unit, &gt; 0.</summary>
    public double UnitSeconds { get; }
    /// <summary>[copy]: compute time of the copy's token-expert pairs, units.</summary>
    public long[] PairUnits { get; }
    /// <summary>Time to read one copy's weights, units.</summary>
    public long CopyUnits { get; }
    public Bytes IntraIn { get; }
    public Bytes IntraOut { get; }
    /// <summary>Zero on a single node.</summary>
    public Bytes InterIn { get; }
    public Bytes InterOut { get; }
    /// <summary>The objective of any placement of the layer is at least this, units (see <see cref="AveragingBound"/>).</summary>
    public long LowerBoundUnits { get; }
    /// <summary>No device's time can exceed this, units.</summary>
    public long UpperBoundUnits { get; }

    public long Units(double seconds) => (long)Math.Round(seconds / UnitSeconds);

    /// <summary>[copy]: the device of each copy, copies of an expert on increasing devices (the model's order).</summary>
    public int[] HostOfCopy(int[][] hosts)
    {
        var host = new int[Copies];
        for (int p = 0, e = 0; e < hosts.Length; e++)
        {
            var sorted = hosts[e].Order().ToArray();
            for (var c = 0; c < sorted.Length; c++) host[p + c] = sorted[c];
            p += sorted.Length;
        }
        return host;
    }

    /// <summary>Device d's pair time, copy count, intra-node and inter-node comm time (units) when copy p sits on host[p].</summary>
    public (long Pairs, long Count, long Intra, long Inter) DeviceUnits(int[] host, int d)
    {
        long pairs = 0, count = 0;
        for (var p = 0; p < Copies; p++)
            if (host[p] == d) { pairs += PairUnits[p]; count++; }
        var intra = Math.Max(0, Math.Max(Value(IntraIn, host, d), Value(IntraOut, host, d)));
        var inter = Nodes == 1 ? 0 : Math.Max(0, Math.Max(Value(InterIn, host, d), Value(InterOut, host, d)));
        return (pairs, count, intra, inter);
    }

    /// <summary>The term's value for device d, units.</summary>
    public long Value(Bytes term, int[] host, int d)
    {
        var devices = term.Constant.Length;
        var perNode = devices / Nodes;
        var v = term.Constant[d];
        for (var p = 0; p < Copies; p++)
        {
            if (host[p] == d) v += term.X[p * devices + d];
            if (host[p] / perNode == d / perNode) v += term.Y[p * devices + d];
        }
        return v;
    }

    private static Bytes New(int copies, int devices) => new(new long[copies * devices], new long[copies * devices], new long[devices]);

    private long MaxValue(Bytes a, Bytes b)
    {
        var max = 0L;
        foreach (var term in new[] { a, b })
        {
            var devices = term.Constant.Length;
            for (var d = 0; d < devices; d++)
            {
                var v = term.Constant[d];
                for (var p = 0; p < Copies; p++) v += Math.Max(0, term.X[p * devices + d]) + Math.Max(0, term.Y[p * devices + d]);
                max = Math.Max(max, v);
            }
        }
        return max;
    }
}
