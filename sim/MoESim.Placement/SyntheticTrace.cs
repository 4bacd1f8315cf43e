using MoESim.Traces;

namespace MoESim.Placement;

/// <summary>Routing steps drawn from a <see cref="SyntheticRouter"/>, for tests and demos without a trace file.</summary>
public static class SyntheticTrace
{
    /// <summary>
    /// <paramref name="requests"/> requests (ids 0..n−1), each <paramref name="stepsPerRequest"/>
    /// steps of <paramref name="tokensPerStep"/> tokens, routed token by token. Deterministic in the router's seed.
    /// </summary>
    public static List<RoutingStep> Generate(SyntheticRouterConfig config, int requests, int stepsPerRequest, int tokensPerStep)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(requests, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerRequest, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokensPerStep, 1);
        var router = new SyntheticRouter(config);
        var batch = new RoutingBatch();
        var steps = new List<RoutingStep>(requests * stepsPerRequest);
        for (var s = 0; s < stepsPerRequest; s++)
        {
            for (var r = 0; r < requests; r++)
            {
                var step = new RoutingStep();
                step.Reset(r, s, s * tokensPerStep, tokensPerStep, s == 0, config.NumMoeLayers, config.TopK, hasGateWeights: false);
                batch.Clear();
                batch.Add(new SequenceSlice(r, s * tokensPerStep, tokensPerStep, s == 0));
                router.RouteTokens(batch, step.ExpertIds);
                steps.Add(step);
            }
        }
        return steps;
    }

    /// <summary>The trace shape of a router configuration.</summary>
    public static TraceShape ShapeOf(SyntheticRouterConfig config) =>
        new() { NumMoeLayers = config.NumMoeLayers, NumExperts = config.NumExperts, TopK = config.TopK, ModelName = "synthetic" };
}
