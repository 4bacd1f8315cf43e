using System.Diagnostics;
using System.Globalization;
using Google.OrTools.Sat;
using MoESim.Parallelism;

namespace MoESim.Placement;

/// <summary>
/// Integer program for placement (MoETuner style, placement.yaml id moetuner): per layer,
/// minimise the slowest device's expert compute + all-to-all time using per-expert loads and
/// adjacent-layer co-activation, under the slot budget (which bounds expert memory). Solved
/// layer by layer with CP-SAT, each layer given the previous layer's solved placement (so
/// co-activation is linear), starting from the greedy packing as a hint. Replica counts are
/// EPLB's (largest load per copy). The time limit is shared over the layers; the reported gap
/// is that of the per-layer subproblems together, 1 − Σ bounds / Σ objectives; the layer-by-layer
/// decomposition itself is a heuristic with no global bound.
/// </summary>
public sealed class IlpStrategy : IPlacementStrategy
{
    /// <param name="timeLimitSeconds">Wall-clock budget for all layers, &gt; 0.</param>
    /// <param name="workers">CP-SAT search workers, ≥ 1 (1 keeps results bit-identical run to run).</param>
    /// <param name="seed">CP-SAT random seed.</param>
    public IlpStrategy(double timeLimitSeconds = 30, int workers = 1, int seed = 0)
    {
        if (!(timeLimitSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(timeLimitSeconds), "must be positive");
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        TimeLimitSeconds = timeLimitSeconds;
        Workers = workers;
        Seed = seed;
    }

    public string Name => "ilp";
    public double TimeLimitSeconds { get; }
    public int Workers { get; }
    public int Seed { get; }

    public PlacementResult Place(RoutingStatistics fit, PlacementProblem problem)
    {
        var clock = Stopwatch.StartNew();
        int devices = problem.System.NumDevices, experts = fit.NumExperts, layers = fit.NumMoeLayers;
        var slots = problem.SlotsPerDevice(experts);
        var scale = fit.PerStepScale(problem.TokensPerDevicePerStep);
        var inBytes = new double[experts * devices];
        var outBytes = new double[experts * devices];
        var result = new IReadOnlyList<ExpertReplica>[layers][];
        double[]? previous = null;
        double objectiveSum = 0, boundSum = 0;
        int optimal = 0, fallback = 0;
        for (var l = 0; l < layers; l++)
        {
            var loads = fit.Loads[l].Select(v => v * scale).ToArray();
            var copies = GreedyReplicationStrategy.ReplicaCounts(loads, problem.ExtraReplicasPerLayer, devices);
            var greedy = GreedyReplicationStrategy.Pack(loads, copies, devices, slots);
            LayerFlows.Compute(fit, problem, l, previous, scale, inBytes, outBytes);
            var layerModel = new IlpLayerModel(loads, copies, inBytes, outBytes, problem, slots);
            layerModel.Hint(greedy);
            // Even share of what is left, so a slow early layer cannot starve the later ones.
            var budget = Math.Max(0.05, (TimeLimitSeconds - clock.Elapsed.TotalSeconds) / (layers - l));
            var solver = new CpSolver
            {
                StringParameters = string.Create(CultureInfo.InvariantCulture,
                    $"max_time_in_seconds:{budget:R} num_workers:{Workers} random_seed:{Seed} log_search_progress:false"),
            };
            var status = solver.Solve(layerModel.Model);
            // The greedy packing is always a candidate: a short time limit can end the search
            // before CP-SAT has used its hint, and the ILP must never return worse than greedy.
            var hosts = greedy;
            var greedySeconds = LayerSeconds(fit, problem, greedy, copies, loads, inBytes, outBytes);
            var seconds = greedySeconds;
            if (status is CpSolverStatus.Optimal or CpSolverStatus.Feasible)
            {
                var solved = layerModel.Hosts(solver, experts);
                var solvedSeconds = LayerSeconds(fit, problem, solved, copies, loads, inBytes, outBytes);
                if (solvedSeconds <= greedySeconds) { hosts = solved; seconds = solvedSeconds; }
                else fallback++;
                boundSum += Math.Min(seconds, solver.BestObjectiveBound * layerModel.UnitSeconds);
                if (status == CpSolverStatus.Optimal) optimal++;
            }
            else
            {
                fallback++; // no bound: counts as a 100 % gap for this layer
            }
            objectiveSum += seconds;
            result[l] = GreedyReplicationStrategy.ToReplicas(hosts, copies);
            previous = LayerFlows.Shares(new ExpertPlacement(devices, new[] { result[l] }, Name), 0);
        }
        var gap = objectiveSum > 0 ? Math.Clamp(1 - boundSum / objectiveSum, 0, 1) : 0;
        return new PlacementResult
        {
            Placement = new ExpertPlacement(devices, result, Name),
            SolveSeconds = clock.Elapsed.TotalSeconds,
            OptimalityGap = gap,
            Note = $"CP-SAT per layer ({layers} layers, {optimal} proven optimal{(fallback > 0 ? $", {fallback} kept the greedy packing" : "")}), time limit {TimeLimitSeconds:G4} s, {Workers} worker(s)",
        };
    }

    /// <summary>The evaluator's time for one layer packed as <paramref name="hosts"/> (bytes already computed for this layer).</summary>
    private static double LayerSeconds(RoutingStatistics fit, PlacementProblem problem, int[][] hosts, int[] copies, double[] scaledLoads, double[] inBytes, double[] outBytes)
    {
        var devices = problem.System.NumDevices;
        var shares = new double[fit.NumExperts * devices];
        for (var e = 0; e < hosts.Length; e++) foreach (var d in hosts[e]) shares[e * devices + d] += 1.0 / copies[e];
        var traffic = new double[devices, devices];
        var loads = new double[devices];
        var resident = new int[devices];
        PlacementEvaluator.Accumulate(scaledLoads, shares, inBytes, outBytes, 1.0, devices, traffic, loads, resident);
        return PlacementEvaluator.LayerSeconds(problem, traffic, loads, resident);
    }
}
