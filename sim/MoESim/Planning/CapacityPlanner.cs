using MoESim.Config;
using MoESim.Cost;
using MoESim.Metrics;
using MoESim.Models;
using MoESim.Randomness;
using MoESim.Serving;
using MoESim.Traces;

namespace MoESim.Planning;

/// <summary>
/// Answers "how many of which replicas serve this workload within a latency objective at the
/// lowest price?": for every candidate and every replica count 1..N it splits the request
/// stream round-robin over the replicas (<see cref="ReplicaSplit"/>), simulates each replica
/// with the engine <c>simulate</c> uses (one device, or expert parallelism on a system), and
/// judges the latency percentiles of all requests together.
/// </summary>
public static class CapacityPlanner
{
    /// <summary>
    /// Plans <paramref name="options"/>' model and workload (its request trace or Poisson
    /// arrivals, batching limits, router and seed; the device path is not used) over
    /// <paramref name="candidates"/> with 1 to <paramref name="maxReplicas"/> replicas each, the
    /// arrivals sped up by <paramref name="arrivalRateScale"/>. Replica r's synthetic router is
    /// seeded from stream 1000 + r of the run's seed. Bad inputs are an <see cref="InputException"/>.
    /// </summary>
    public static CapacityPlan Plan(SimulationOptions options, IReadOnlyList<CapacityCandidate> candidates, LatencyObjective objective,
        int maxReplicas, double arrivalRateScale = 1, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(objective);
        var errors = new InputErrorList();
        foreach (var (field, problem) in objective.Validate()) errors.Add("plan", 0, 0, field, problem);
        if (maxReplicas is < 1 or > 1024) errors.Add("plan", 0, 0, "max_replicas", $"must be in 1..1024, got {maxReplicas}");
        if (!(arrivalRateScale > 0) || !double.IsFinite(arrivalRateScale)) errors.Add("plan", 0, 0, "load_scale", $"must be a finite number above 0, got {arrivalRateScale}");
        if (candidates.Count == 0) errors.Add("plan", 0, 0, "candidates", "name at least one device or system");
        errors.ThrowIfAny();

        var model = SimulationRunner.LoadModel(options);
        var requests = ReplicaSplit.ScaleArrivalRate(SimulationRunner.LoadRequests(options, new SeededRandom(options.Seed)), arrivalRateScale);
        var work = new ModelWork(model);
        var rows = new List<CapacityPlanRow>();
        int done = 0, total = candidates.Count * maxReplicas;
        foreach (var candidate in candidates)
        {
            var replica = new ReplicaServer(candidate, model, work, options.Serving);
            for (int n = 1; n <= maxReplicas; n++)
            {
                rows.Add(replica.WhyNot is { } why
                    ? Unsimulated(candidate, n, why)
                    : Simulate(candidate, n, replica, options, model, requests, objective));
                progress?.Report(++done / (double)total);
            }
        }
        return new CapacityPlan { Objective = objective, Rows = rows };
    }

    private static CapacityPlanRow Simulate(CapacityCandidate candidate, int replicas, ReplicaServer replica, SimulationOptions options,
        ModelConfig model, IReadOnlyList<Request> requests, LatencyObjective objective)
    {
        var outcomes = new List<RequestOutcome>(requests.Count);
        double makespan = 0;
        var shares = ReplicaSplit.RoundRobin(requests, replicas);
        var seeds = new SeededRandom(options.Seed);
        for (int r = 0; r < replicas; r++)
        {
            if (shares[r].Count == 0) continue;
            var router = SimulationRunner.CreateRouter(options, model, shares[r], seeds.Fork(1000 + (ulong)r));
            try
            {
                var result = replica.Serve(shares[r], router);
                outcomes.AddRange(result.Requests);
                makespan = Math.Max(makespan, result.MakespanSeconds);
            }
            finally
            {
                (router as IDisposable)?.Dispose();
            }
        }
        var tpot = Percentile(LatencySummary.Of(outcomes.Select(o => o.TpotSeconds)), objective.Percentile);
        var ttft = Percentile(LatencySummary.Of(outcomes.Select(o => o.TtftSeconds)), objective.Percentile);
        long outputTokens = 0;
        foreach (var o in outcomes) outputTokens += o.OutputTokens;
        return new CapacityPlanRow
        {
            Candidate = candidate,
            Replicas = replicas,
            TpotSeconds = tpot,
            TtftSeconds = ttft,
            OutputTokensPerSecond = makespan > 0 ? outputTokens / makespan : double.NaN,
            // A NaN percentile (no request with two or more output tokens) meets no objective.
            MeetsObjective = tpot <= objective.TpotSeconds && (objective.TtftSeconds is not { } limit || ttft <= limit),
        };
    }

    private static CapacityPlanRow Unsimulated(CapacityCandidate candidate, int replicas, string why) => new()
    {
        Candidate = candidate,
        Replicas = replicas,
        TpotSeconds = double.NaN,
        TtftSeconds = double.NaN,
        OutputTokensPerSecond = double.NaN,
        MeetsObjective = false,
        Note = why,
    };

    private static double Percentile(LatencySummary summary, int percentile) => percentile switch
    {
        50 => summary.P50Seconds,
        90 => summary.P90Seconds,
        99 => summary.P99Seconds,
        _ => throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "50, 90 or 99"),
    };
}
