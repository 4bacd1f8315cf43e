using MoESim.Tests.Config;
using MoESim.Traces;
using MoESim.Traces.Formats;

namespace MoESim.Tests.Traces.Formats;

/// <summary>Shared helpers for trace format tests: the shipped tiny sample, reading all steps, a deterministic step generator.</summary>
internal static class TraceTestFiles
{
    public static string Tiny => Path.Combine(RepoPaths.Root, "traces", "samples", "tiny.jsonl");

    /// <summary>Every step of a trace as (request, iteration, first token, prefill, ids, weights) copies.</summary>
    public static List<RoutingStep> ReadAll(string path)
    {
        using var reader = RoutingTraceFiles.OpenReader(path);
        var steps = new List<RoutingStep>();
        var step = new RoutingStep();
        while (reader.TryRead(step))
        {
            var copy = new RoutingStep();
            copy.CopyFrom(step);
            steps.Add(copy);
        }
        return steps;
    }

    /// <summary>Writes requests (one prefill step, then decode steps) of a deterministic pattern (distinct ids per token) to <paramref name="path"/>.</summary>
    public static void WritePattern(string path, TraceShape shape, int requests, int decodeSteps, int promptTokens)
    {
        using var writer = RoutingTraceFiles.CreateWriter(path, shape);
        var step = new RoutingStep();
        for (var r = 0; r < requests; r++)
        {
            Fill(step, shape, r, 0, 0, promptTokens, true);
            writer.Write(step);
            for (var d = 0; d < decodeSteps; d++)
            {
                Fill(step, shape, r, d + 1, promptTokens + d, 1, false);
                writer.Write(step);
            }
        }
        writer.Complete();
    }

    public static void Fill(RoutingStep step, TraceShape shape, int request, int iteration, int firstToken, int tokens, bool prefill)
    {
        step.Reset(request, iteration, firstToken, tokens, prefill, shape.NumMoeLayers, shape.TopK, shape.HasGateWeights);
        for (var l = 0; l < shape.NumMoeLayers; l++)
            for (var t = 0; t < tokens; t++)
            {
                var ids = step.Experts(l, t);
                var start = (request * 7 + (firstToken + t) * 3 + l * 5) % shape.NumExperts;
                for (var j = 0; j < shape.TopK; j++) ids[j] = (start + j) % shape.NumExperts;
            }
        if (shape.HasGateWeights)
            for (var i = 0; i < step.GateWeights.Length; i++) step.GateWeights[i] = 1f / (1 + (i % 7));
    }

    public static void AssertSame(IReadOnlyList<RoutingStep> expected, IReadOnlyList<RoutingStep> actual)
    {
        Assert.That(actual, Has.Count.EqualTo(expected.Count));
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            Assert.That((a.RequestId, a.Iteration, a.FirstTokenIndex, a.TokenCount, a.IsPrefill), Is.EqualTo((e.RequestId, e.Iteration, e.FirstTokenIndex, e.TokenCount, e.IsPrefill)), $"step {i}");
            Assert.That(a.ExpertIds.ToArray(), Is.EqualTo(e.ExpertIds.ToArray()), $"step {i} ids");
            Assert.That(a.HasGateWeights, Is.EqualTo(e.HasGateWeights));
            if (e.HasGateWeights) Assert.That(a.GateWeights.ToArray(), Is.EqualTo(e.GateWeights.ToArray()), $"step {i} weights");
        }
    }
}
