using MoESim.Traces;
using MoESim.Traces.Formats;

namespace MoESim.Benchmarks;

/// <summary>
/// Writes deterministic synthetic expert-selection traces for the trace benchmarks: each token
/// picks k consecutive experts (mod E) from a start drawn by a 64-bit LCG, so ids are distinct
/// within a top-k and spread over all experts. Not a realistic router: only sizes matter here.
/// </summary>
internal static class TraceBenchmarkFiles
{
    /// <summary>Writes <paramref name="requests"/> requests of one prefill step and <paramref name="decodeSteps"/> decode steps.</summary>
    public static void Write(string path, TraceShape shape, int requests, int promptTokens, int decodeSteps)
    {
        using var writer = RoutingTraceFiles.CreateWriter(path, shape);
        var step = new RoutingStep();
        var state = 0x9E3779B97F4A7C15UL;
        for (var r = 0; r < requests; r++)
        {
            Fill(step, shape, r, 0, 0, promptTokens, true, ref state);
            writer.Write(step);
            for (var d = 0; d < decodeSteps; d++)
            {
                Fill(step, shape, r, d + 1, promptTokens + d, 1, false, ref state);
                writer.Write(step);
            }
        }
        writer.Complete();
    }

    private static void Fill(RoutingStep step, TraceShape shape, int request, int iteration, int first, int tokens, bool prefill, ref ulong state)
    {
        step.Reset(request, iteration, first, tokens, prefill, shape.NumMoeLayers, shape.TopK, shape.HasGateWeights);
        var ids = step.ExpertIds;
        var e = shape.NumExperts;
        for (var i = 0; i < ids.Length; i += shape.TopK)
        {
            state = state * 6364136223846793005UL + 1442695040888963407UL;
            var start = (int)((state >> 33) % (ulong)e);
            for (var j = 0; j < shape.TopK; j++) ids[i + j] = (start + j) % e;
        }
        if (shape.HasGateWeights) step.GateWeights.Fill(1f / shape.TopK);
    }
}
