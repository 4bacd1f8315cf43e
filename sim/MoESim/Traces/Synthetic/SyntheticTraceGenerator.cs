using System.Runtime.CompilerServices;

namespace MoESim.Traces.Synthetic;

/// <summary>
/// Writes a synthetic expert-selection trace for a list of requests: per request, the prompt in
/// chunks of <see cref="TraceGeneratorConfig.PrefillChunkTokens"/> (iterations 0, 1, ...), then one
/// decode step per generated token after the first (the first comes out of the last prefill
/// pass), at the token indices <c>simulate</c> uses: prompt .. prompt + output − 2.
/// Requests are written one after another (not interleaved).
/// </summary>
public static class SyntheticTraceGenerator
{
    /// <summary>Expert selections (tokens × layers × k) the requests will produce.</summary>
    public static long CountSelections(TraceGeneratorConfig config, IReadOnlyList<Request> requests)
    {
        long tokens = 0;
        foreach (var r in requests) tokens += r.PromptTokens + Math.Max(0, r.OutputTokens - 1);
        return tokens * config.NumMoeLayers * config.TopK;
    }

    /// <summary>
    /// Generates the trace into <paramref name="writer"/> (not completed here) and returns the
    /// number of expert selections written. Progress runs 0..1 by request.
    /// </summary>
    /// <remarks>
    /// Compiled fully optimized on first call: it is called once per trace and all its time is
    /// spent in one loop, which tiered compilation would otherwise run as on-stack-replacement
    /// code (measured 2-3× slower per selection than optimized code).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long Generate(TraceGeneratorConfig config, IReadOnlyList<Request> requests, IRoutingTraceWriter writer, IProgress<double>? progress = null)
    {
        TraceGeneratorConfigValidator.Validate(config, "generator");
        var router = new SyntheticTokenRouter(config);
        var step = new RoutingStep();
        var layers = config.NumMoeLayers;
        var k = config.TopK;
        var state = new int[layers * k];
        long selections = 0;
        var reportEvery = Math.Max(1, requests.Count / 200);
        for (var i = 0; i < requests.Count; i++)
        {
            var request = requests[i];
            var iteration = 0;
            var hasPrevious = false;
            for (var first = 0; first < request.PromptTokens; first += config.PrefillChunkTokens)
            {
                var count = Math.Min(config.PrefillChunkTokens, request.PromptTokens - first);
                step.Reset(request.Id, iteration++, first, count, isPrefill: true, layers, k, hasGateWeights: false);
                router.RouteTokens(true, hasPrevious, count, step.ExpertIds, state);
                hasPrevious = true;
                writer.Write(step);
                selections += (long)count * layers * k;
            }
            for (var position = request.PromptTokens; position < request.PromptTokens + request.OutputTokens - 1; position++)
            {
                step.Reset(request.Id, iteration++, position, 1, isPrefill: false, layers, k, hasGateWeights: false);
                router.RouteTokens(false, hasPrevious, 1, step.ExpertIds, state);
                hasPrevious = true;
                writer.Write(step);
                selections += (long)layers * k;
            }
            if (progress is not null && (i + 1) % reportEvery == 0) progress.Report((i + 1) / (double)requests.Count);
        }
        progress?.Report(1.0);
        return selections;
    }
}
