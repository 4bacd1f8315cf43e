using MoESim.Config;
using MoESim.Cost;
using MoESim.Metrics;
using MoESim.Models;
using MoESim.Randomness;
using MoESim.Serving;
using MoESim.Traces;
using MoESim.Runs;
using MoESim.Results;

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
        if (!(arrivalRateScale > 0) || !double.IsFinite(arrivalRateScale))
            errors.Add("plan", 0, 0, "load_scale", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"must be a finite number above 0, got {arrivalRateScale}"));
        foreach (var c in candidates)
            if (!(c.PricePerHourUsd > 0) || !double.IsFinite(c.PricePerHourUsd))
                errors.Add(c.DevicePath ?? c.SystemPath ?? c.Name, 0, 0, "price_per_hour_usd", "a capacity plan needs a price above 0 for every candidate (its profile has none)");
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
            var whyNot = replica.WhyNot;
            for (int n = 1; n <= maxReplicas; n++)
            {
                if (whyNot is null)
                {
                    try
                    {
                        rows.Add(Simulate(candidate, n, replica, options, model, requests, objective));
                    }
                    catch (InputException ex) when (ex.Errors.All(e => e.Field == KvCacheMisfitField))
                    {
                        // A request longer than one replica's KV cache holds: no replica count helps.
                        whyNot = string.Join("; ", ex.Errors.Select(e => e.Problem));
                    }
                }
                if (whyNot is not null) rows.Add(Unsimulated(candidate, n, whyNot));
                progress?.Report(++done / (double)total);
            }
        }
        return new CapacityPlan { ModelName = model.Name, Objective = objective, Rows = rows };
    }

    // The field the scheduler names when a request's KV cache does not fit the device.
    private const string KvCacheMisfitField = "prompt+output tokens";

    private static CapacityPlanRow Simulate(CapacityCandidate candidate, int replicas, ReplicaServer replica, SimulationOptions options,
        ModelConfig model, IReadOnlyList<Request> requests, LatencyObjective objective)
    {
        var outcomes = new List<RequestOutcome>(requests.Count);
        var shares = ReplicaSplit.RoundRobin(requests, replicas);
        var seeds = new SeededRandom(options.Seed);
        for (int r = 0; r < replicas; r++)
        {
            if (shares[r].Count == 0) continue;
            var router = SimulationRunner.CreateRouter(options, model, shares[r], seeds.Fork(1000 + (ulong)r));
            try
            {
                outcomes.AddRange(replica.Serve(shares[r], router).Requests);
            }
            finally
            {
                (router as IDisposable)?.Dispose();
            }
        }
        var tpot = Percentile(LatencySummary.Of(outcomes.Select(o => o.TpotSeconds)), objective.Percentile);
        var ttft = Percentile(LatencySummary.Of(outcomes.Select(o => o.TtftSeconds)), objective.Percentile);
        // Throughput over the fleet's span, first arrival to last finish (each replica's own
        // makespan starts at its own first arrival).
        long outputTokens = 0, first = long.MaxValue, last = long.MinValue;
        foreach (var o in outcomes)
        {
            outputTokens += o.OutputTokens;
            first = Math.Min(first, o.ArrivalPicoseconds);
            last = Math.Max(last, o.FinishPicoseconds);
        }
        double makespan = outcomes.Count > 0 ? (last - first) / 1e12 : 0;
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
