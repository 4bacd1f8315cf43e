using System.Diagnostics;
using System.Globalization;
using MoESim.Parallelism;

namespace MoESim.Placement;

/// <summary>
/// Integer program for placement (MoETuner style, placement.yaml id moetuner): per layer,
/// minimise the slowest device's expert compute + all-to-all time using per-expert loads and
/// adjacent-layer co-activation, under the slot budget (which bounds expert memory). Solved
/// layer by layer with CP-SAT (<see cref="IlpLayerSolver"/>), each layer given the previous
/// layer's solved placement, so co-activation is a linear cost; a small layer is one model, a
/// large one (DeepSeek-V3: 288 copies × 32 devices) is solved in two stages, copies to nodes then
/// each node's copies to its devices. Replica counts are EPLB's (largest load per copy); every
/// model starts from the greedy packing, and a layer keeps greedy unless CP-SAT beats it.
/// </summary>
/// <remarks>
/// Gap: per layer, (incumbent − bound) / incumbent, the bound being the larger of CP-SAT's proven
/// bound (whole-layer model, or the node stage, which is a relaxation) and an averaging bound
/// (<see cref="IlpLayerCoefficients.LowerBoundUnits"/>); over the layers, 1 − Σ bounds / Σ
/// incumbents, i.e. relative to the summed MoE time. Bounds hold given the previous layers; the
/// layer-by-layer decomposition itself has no global bound. Time: the wall-clock limit is shared
/// over the layers; each solve also stops at a fixed deterministic-time budget, so with
/// <c>workers = 1</c> a run that finishes within the wall clock repeats exactly, while a loaded
/// machine (wall clock first) or several workers can give different, equally valid results.
/// </remarks>
public sealed class IlpStrategy : IPlacementStrategy
{
    /// <param name="timeLimitSeconds">Wall-clock budget for all layers, &gt; 0.</param>
    /// <param name="workers">CP-SAT search workers, ≥ 1 (1: repeatable while the deterministic budget ends each solve; more: LNS workers, faster but not repeatable).</param>
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
        var layerGaps = new double[layers];
        int optimal = 0, fallback = 0, decomposed = 0;
        for (var l = 0; l < layers; l++)
        {
            var loads = fit.Loads[l].Select(v => v * scale).ToArray();
            // Unscaled loads, as the greedy strategy uses, so rounding cannot break its ties differently.
            var copies = GreedyReplicationStrategy.ReplicaCounts(fit.Loads[l], problem.ExtraReplicasPerLayer, devices);
            var greedy = GreedyReplicationStrategy.Pack(fit.Loads[l], copies, devices, slots);
            LayerFlows.Compute(fit, problem, l, previous, scale, inBytes, outBytes);
            var coefficients = new IlpLayerCoefficients(loads, copies, inBytes, outBytes, problem);
            // Even share of what is left, so a slow early layer cannot starve the later ones; the
            // deterministic budget is fixed, so runs that finish within the wall clock repeat exactly.
            var budget = Math.Max(0.05, (TimeLimitSeconds - clock.Elapsed.TotalSeconds) / (layers - l));
            var outcome = IlpLayerSolver.Solve(coefficients, slots, coefficients.HostOfCopy(greedy), budget, TimeLimitSeconds / layers, Workers, Seed, MonolithicMaxBinaries);
            // The greedy packing is always a candidate: a short time limit can end the search
            // before CP-SAT has improved on it, and the ILP must never return worse than greedy.
            var hosts = greedy;
            var seconds = LayerSeconds(fit, problem, greedy, copies, loads, inBytes, outBytes);
            if (outcome.Host is not null)
            {
                var solved = ToHosts(outcome.Host, coefficients.ExpertOfCopy, fit.NumExperts);
                var solvedSeconds = LayerSeconds(fit, problem, solved, copies, loads, inBytes, outBytes);
                if (solvedSeconds < seconds) { hosts = solved; seconds = solvedSeconds; }
                else fallback++;
                if (outcome.Optimal) optimal++;
            }
            else
            {
                fallback++;
            }
            if (outcome.Decomposed) decomposed++;
            var bound = Math.Min(seconds, outcome.BoundUnits * coefficients.UnitSeconds);
            layerGaps[l] = seconds > 0 ? 1 - bound / seconds : 0;
            objectiveSum += seconds;
            boundSum += bound;
            result[l] = GreedyReplicationStrategy.ToReplicas(hosts, copies);
            previous = LayerFlows.Shares(new ExpertPlacement(devices, new[] { result[l] }, Name), 0);
        }
        var placement = new ExpertPlacement(devices, result, Name);
        // A layer's placement changes the next layer's traffic, so per-layer wins can still add
        // up to a slower whole; then the greedy placement is returned, with its averaging bounds.
        var keptGreedy = false;
        var greedyPlacement = new GreedyReplicationStrategy().Place(fit, problem).Placement;
        if (PlacementEvaluator.Evaluate(greedyPlacement, fit, problem).MoeSecondsPerStep < PlacementEvaluator.Evaluate(placement, fit, problem).MoeSecondsPerStep)
        {
            keptGreedy = true;
            placement = new ExpertPlacement(devices, Enumerable.Range(0, layers).Select(l => Enumerable.Range(0, experts).Select(e => greedyPlacement.Replicas(l, e).ToArray()).ToArray<IReadOnlyList<ExpertReplica>>()).ToArray(), Name);
            (objectiveSum, boundSum) = AveragingBounds(fit, problem, placement, layerGaps);
        }
        var gap = objectiveSum > 0 ? Math.Clamp(1 - boundSum / objectiveSum, 0, 1) : 0;
        var sorted = layerGaps.Order().ToArray();
        return new PlacementResult
        {
            Placement = placement,
            SolveSeconds = clock.Elapsed.TotalSeconds,
            OptimalityGap = gap,
            LayerGaps = layerGaps,
            Note = string.Create(CultureInfo.InvariantCulture,
                $"CP-SAT per layer ({layers} layers, {(decomposed > 0 ? $"{decomposed} in two stages (nodes, then devices), " : "")}{optimal} proven optimal, {layers - fallback} better than greedy{(keptGreedy ? ", but greedy is faster over all layers: greedy kept, gaps from the averaging bound" : "")}), layer gap median {sorted[layers / 2]:P2}, worst {sorted[^1]:P2}; time limit {TimeLimitSeconds:G4} s, {Workers} worker(s)"),
        };
    }

    /// <summary>Copies × devices up to which a layer is solved as one model; larger layers go in two stages.</summary>
    internal int MonolithicMaxBinaries { get; init; } = 2048;

    /// <summary>Per-layer times of a placement and the averaging bounds (<see cref="IlpLayerCoefficients.LowerBoundUnits"/>) given its previous layers; fills the per-layer gaps.</summary>
    private static (double Seconds, double Bound) AveragingBounds(RoutingStatistics fit, PlacementProblem problem, ExpertPlacement placement, double[] layerGaps)
    {
        int devices = problem.System.NumDevices, experts = fit.NumExperts;
        var scale = fit.PerStepScale(problem.TokensPerDevicePerStep);
        var inBytes = new double[experts * devices];
        var outBytes = new double[experts * devices];
        double[]? previous = null;
        double secondsSum = 0, boundSum = 0;
        for (var l = 0; l < fit.NumMoeLayers; l++)
        {
            var loads = fit.Loads[l].Select(v => v * scale).ToArray();
            var hosts = Enumerable.Range(0, experts).Select(e => placement.Replicas(l, e).ToArray().Select(r => r.Device).ToArray()).ToArray();
            var copies = hosts.Select(h => h.Length).ToArray();
            LayerFlows.Compute(fit, problem, l, previous, scale, inBytes, outBytes);
            var coefficients = new IlpLayerCoefficients(loads, copies, inBytes, outBytes, problem);
            var seconds = LayerSeconds(fit, problem, hosts, copies, loads, inBytes, outBytes);
            var bound = Math.Min(seconds, coefficients.LowerBoundUnits * coefficients.UnitSeconds);
            layerGaps[l] = seconds > 0 ? 1 - bound / seconds : 0;
            secondsSum += seconds;
            boundSum += bound;
            previous = LayerFlows.Shares(placement, l);
        }
        return (secondsSum, boundSum);
    }

    private static int[][] ToHosts(int[] host, int[] expertOfCopy, int experts)
    {
        var hosts = new List<int>[experts];
        for (var e = 0; e < experts; e++) hosts[e] = new List<int>();
        for (var p = 0; p < host.Length; p++) hosts[expertOfCopy[p]].Add(host[p]);
        return hosts.Select(h => h.ToArray()).ToArray();
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
