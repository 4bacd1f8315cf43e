using MoESim.Hardware.Topology;
using MoESim.Models;
using MoESim.Parallelism;
using MoESim.Randomness;
using MoESim.Serving.ExpertParallel;
using MoESim.Traces;
using MoESim.Runs;

namespace MoESim.Placement;

/// <summary>
/// Scores placements end to end: serves the same <see cref="SimulatedWorkload"/> with each
/// placement through the expert-parallel serving simulation (attention, expert compute,
/// all-to-all and scheduling together, not only the MoE layers) and reports tokens per second.
/// </summary>
public static class SimulatedThroughput
{
    /// <summary>
    /// Returns <paramref name="rows"/> with <see cref="PlacementComparisonRow.SimulatedTokensPerSecond"/>
    /// set: (prompt + output tokens of all requests) / simulated makespan, tokens/s.
    /// <paramref name="router"/> makes a fresh routing source for the requests of each run
    /// (routers keep state, so every placement must see the same routing from its start).
    /// </summary>
    public static IReadOnlyList<PlacementComparisonRow> Score(IReadOnlyList<PlacementComparisonRow> rows, ModelConfig model, SystemTopology system,
        Func<IReadOnlyList<Request>, IRoutingSource> router, SimulatedWorkload workload, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(workload);
        var requests = PoissonRequestGenerator.Generate(workload.Requests, workload.RatePerSecond, workload.PromptTokens, workload.PromptTokens,
            workload.OutputTokens, workload.OutputTokens, new SeededRandom(workload.Seed));
        var result = new List<PlacementComparisonRow>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            result.Add(rows[i] with { SimulatedTokensPerSecond = TokensPerSecond(model, system, rows[i].Result.Placement, router(requests), requests) });
            progress?.Report((i + 1.0) / rows.Count);
        }
        return result;
    }

    /// <summary>Simulated (prompt + output) tokens per second of one placement on <paramref name="requests"/>; disposes <paramref name="routing"/>.</summary>
    public static double TokensPerSecond(ModelConfig model, SystemTopology system, ExpertPlacement placement, IRoutingSource routing, IReadOnlyList<Request> requests)
    {
        try
        {
            var metrics = ExpertParallelRunner.Run(model, system, placement, routing, requests, new ExpertParallelConfig()).Metrics;
            return metrics.PromptTokensPerSecond + metrics.OutputTokensPerSecond;
        }
        finally
        {
            (routing as IDisposable)?.Dispose();
        }
    }
}
