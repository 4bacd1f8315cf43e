using System.Globalization;
using Google.OrTools.Sat;

namespace MoESim.Placement;

/// <summary>
/// Solves one layer's placement with CP-SAT: the whole layer in one model when it is small,
/// else in two stages (copies to nodes with <see cref="IlpNodeModel"/>, then each node's copies
/// to its devices with <see cref="IlpLayerModel"/>). Every model starts from a complete hint
/// built from the greedy packing, so CP-SAT has a feasible solution from the start.
/// </summary>
internal static class IlpLayerSolver
{
    /// <summary>What one layer's solve produced.</summary>
    /// <param name="Host">[copy]: device of every copy; null when CP-SAT found nothing usable.</param>
    /// <param name="BoundUnits">Proven lower bound on the layer's objective, units (≥ the averaging bound).</param>
    /// <param name="Optimal">True when the bound meets the solution (whole-layer model proven optimal).</param>
    /// <param name="Decomposed">True when solved in two stages.</param>
    internal sealed record Outcome(int[]? Host, long BoundUnits, bool Optimal, bool Decomposed);

    /// <param name="c">The layer's coefficients.</param>
    /// <param name="slots">Copies a device may hold.</param>
    /// <param name="greedyHost">[copy]: the greedy packing (the hint).</param>
    /// <param name="wallSeconds">Wall-clock budget for the layer, &gt; 0.</param>
    /// <param name="deterministicSeconds">CP-SAT deterministic-time budget for the layer (same work on every run), &gt; 0.</param>
    /// <param name="workers">CP-SAT workers.</param>
    /// <param name="seed">CP-SAT seed.</param>
    /// <param name="monolithicMaxBinaries">Largest copies × devices solved as one model.</param>
    public static Outcome Solve(IlpLayerCoefficients c, int slots, int[] greedyHost, double wallSeconds, double deterministicSeconds, int workers, int seed, int monolithicMaxBinaries)
    {
        var devices = c.IntraIn.Constant.Length;
        if (c.Nodes == 1 || (long)c.Copies * devices <= monolithicMaxBinaries)
        {
            var whole = new IlpLayerModel(c, slots);
            whole.Hint(greedyHost);
            var solver = Solver(wallSeconds, deterministicSeconds, workers, seed);
            var status = solver.Solve(whole.Model);
            if (status is not (CpSolverStatus.Optimal or CpSolverStatus.Feasible)) return new Outcome(null, c.LowerBoundUnits, false, false);
            var host = new int[c.Copies];
            whole.ReadHosts(solver, host);
            return new Outcome(host, Math.Max(c.LowerBoundUnits, (long)Math.Ceiling(solver.BestObjectiveBound - 1e-6)), status == CpSolverStatus.Optimal, false);
        }

        // Stage 1: nodes. Its bound is a bound on the layer (IlpNodeModel is a relaxation).
        const double nodeShare = 0.7;
        var perNode = devices / c.Nodes;
        var nodeModel = new IlpNodeModel(c, slots);
        nodeModel.Hint(greedyHost);
        var nodeSolver = Solver(wallSeconds * nodeShare, deterministicSeconds * nodeShare, workers, seed);
        var nodeStatus = nodeSolver.Solve(nodeModel.Model);
        var bound = c.LowerBoundUnits;
        int[] nodeOfCopy;
        if (nodeStatus is CpSolverStatus.Optimal or CpSolverStatus.Feasible)
        {
            nodeOfCopy = nodeModel.Nodes(nodeSolver);
            bound = Math.Max(bound, (long)Math.Ceiling(nodeSolver.BestObjectiveBound - 1e-6));
        }
        else
        {
            nodeOfCopy = greedyHost.Select(d => d / perNode).ToArray();
        }

        // Stage 2: each node's copies on its devices, the nodes fixed.
        var hint = NodeHint(c, slots, greedyHost, nodeOfCopy, perNode);
        var result = (int[])hint.Clone();
        for (var k = 0; k < c.Nodes; k++)
        {
            var model = new IlpLayerModel(c, slots, nodeOfCopy, k);
            model.Hint(hint);
            var share = (1 - nodeShare) / c.Nodes;
            var solver = Solver(wallSeconds * share, deterministicSeconds * share, workers, seed);
            var status = solver.Solve(model.Model);
            if (status is CpSolverStatus.Optimal or CpSolverStatus.Feasible) model.ReadHosts(solver, result);
        }
        return new Outcome(IsValid(c, slots, result) ? result : null, bound, false, true);
    }

    /// <summary>
    /// A device for every copy inside the node stage 1 chose: the greedy device when greedy put it
    /// in that node too, else (heaviest first) the node's device with the fewest pair units that
    /// has a free slot and no copy of the same expert.
    /// </summary>
    internal static int[] NodeHint(IlpLayerCoefficients c, int slots, int[] greedyHost, int[] nodeOfCopy, int perNode)
    {
        var devices = c.IntraIn.Constant.Length;
        var host = new int[c.Copies];
        var used = new int[devices];
        var load = new long[devices];
        var moved = new List<int>();
        for (var p = 0; p < c.Copies; p++)
        {
            if (greedyHost[p] / perNode != nodeOfCopy[p]) { host[p] = -1; moved.Add(p); continue; }
            host[p] = greedyHost[p];
            used[host[p]]++;
            load[host[p]] += c.PairUnits[p];
        }
        moved.Sort((a, b) => c.PairUnits[b] != c.PairUnits[a] ? c.PairUnits[b].CompareTo(c.PairUnits[a]) : a.CompareTo(b));
        foreach (var p in moved)
        {
            int best = -1, fallback = -1;
            for (var d = nodeOfCopy[p] * perNode; d < (nodeOfCopy[p] + 1) * perNode; d++)
            {
                if (used[d] >= slots) continue;
                if (fallback < 0 || load[d] < load[fallback]) fallback = d;
                if (HasTwin(c, host, p, d)) continue;
                if (best < 0 || load[d] < load[best]) best = d;
            }
            // No twin-free device with a slot: the hint breaks distinctness and CP-SAT must repair it.
            var chosen = best >= 0 ? best : fallback >= 0 ? fallback : nodeOfCopy[p] * perNode;
            host[p] = chosen;
            used[chosen]++;
            load[chosen] += c.PairUnits[p];
        }
        // The models order an expert's copies by device.
        for (int p = 0; p < c.Copies;)
        {
            var first = p;
            while (p < c.Copies && c.ExpertOfCopy[p] == c.ExpertOfCopy[first]) p++;
            Array.Sort(host, first, p - first);
        }
        return host;
    }

    /// <summary>Slots respected and copies of an expert on distinct devices.</summary>
    internal static bool IsValid(IlpLayerCoefficients c, int slots, int[] host)
    {
        var used = new int[c.IntraIn.Constant.Length];
        for (var p = 0; p < c.Copies; p++)
        {
            if (++used[host[p]] > slots) return false;
            if (HasTwin(c, host, p, host[p])) return false;
        }
        return true;
    }

    private static bool HasTwin(IlpLayerCoefficients c, int[] host, int p, int d)
    {
        for (var q = p - 1; q >= 0 && c.ExpertOfCopy[q] == c.ExpertOfCopy[p]; q--) if (host[q] == d) return true;
        for (var q = p + 1; q < c.Copies && c.ExpertOfCopy[q] == c.ExpertOfCopy[p]; q++) if (host[q] == d) return true;
        return false;
    }

    private static CpSolver Solver(double wallSeconds, double deterministicSeconds, int workers, int seed) => new()
    {
        // Presolve and probing cost more than they save on these short, hinted solves.
        StringParameters = string.Create(CultureInfo.InvariantCulture,
            $"max_time_in_seconds:{Math.Max(0.01, wallSeconds):R} max_deterministic_time:{Math.Max(0.01, deterministicSeconds):R} num_workers:{workers} random_seed:{seed} cp_model_presolve:false log_search_progress:false"),
    };
}
