using MoESim.Hardware.Topology;
using MoESim.Models;
using MoESim.Placement;
using MoESim.Traces;
using MoESim.Traces.Formats;
using MoESim.Traces.Replay;

namespace MoESim.Cli;

/// <summary>
/// End-to-end throughput for <c>moesim place</c>: serves a small workload with each strategy's
/// placement, routed like the held-out part of the trace (its requests replayed, or the same
/// seeded synthetic router that made a synthetic trace).
/// </summary>
internal static class PlacementEndToEnd
{
    public static IReadOnlyList<PlacementComparisonRow> Score(IReadOnlyList<PlacementComparisonRow> rows, ModelConfig model, SystemTopology system,
        SimulatedWorkload workload, string trace, TraceShape shape, double holdout, double zipf, ulong seed)
    {
        if (trace == "synthetic")
        {
            var config = new SyntheticRouterConfig { NumMoeLayers = shape.NumMoeLayers, NumExperts = shape.NumExperts, TopK = shape.TopK, ZipfExponent = zipf, Seed = seed };
            return ConsoleProgress.Run("Serving", p => SimulatedThroughput.Score(rows, model, system, _ => new SyntheticRouter(config), workload, p));
        }
        // The held-out requests go to a temporary binary trace that the replay router can seek in.
        var folder = Directory.CreateTempSubdirectory("moesim-place-");
        try
        {
            var heldOut = Path.Combine(folder.FullName, "held-out.moetrace");
            using (var writer = RoutingTraceFiles.CreateWriter(heldOut, shape))
                HeldOutSplit.WriteHeldOut(() => TraceFiles.Open(trace), holdout, writer);
            return ConsoleProgress.Run("Serving", p => SimulatedThroughput.Score(rows, model, system,
                requests => TraceReplayRouter.Open(heldOut, model.Name, shape.NumMoeLayers, shape.NumExperts, shape.TopK, requests), workload, p));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
