using MoESim.Traces;
using MoESim.Traces.Statistics;
using MoESim.Traces.Synthetic;

namespace MoESim.Tests.Traces.Synthetic;

/// <summary>Builds generator configurations and measures generated traces in memory.</summary>
internal static class GeneratorTestSupport
{
    public static TraceGeneratorConfig GenConfig(int layers, int experts, int topK, RoutingPhaseParameters decode, RoutingPhaseParameters? prefill = null, ulong seed = 7, int successors = 2) => new()
    {
        NumMoeLayers = layers,
        NumExperts = experts,
        TopK = topK,
        Seed = seed,
        SuccessorSetSize = successors,
        PrefillChunkTokens = 64,
        Prefill = prefill ?? decode,
        Decode = decode,
    };

    public static IReadOnlyList<Request> Requests(int count, int prompt, int output) =>
        Enumerable.Range(0, count).Select(i => new Request(i, i, prompt, output)).ToArray();

    public static TraceStatistics Measure(TraceGeneratorConfig config, IReadOnlyList<Request> requests, int topM = 2)
    {
        var options = new TraceStatisticsOptions { AffinityTopM = topM };
        var writer = new StatisticsTraceWriter(config.Shape, options);
        SyntheticTraceGenerator.Generate(config, requests, writer);
        return writer.Collector.Finish();
    }

    public static double Mean(IEnumerable<double> values) => values.Where(double.IsFinite).Average();
}

/// <summary>Keeps copies of every step written (small traces only).</summary>
internal sealed class RecordingTraceWriter : IRoutingTraceWriter
{
    public List<RoutingStep> Steps { get; } = [];
    public bool Completed { get; private set; }

    public void Write(RoutingStep step)
    {
        var copy = new RoutingStep();
        copy.CopyFrom(step);
        Steps.Add(copy);
    }

    public void Complete() => Completed = true;

    public void Dispose() { }
}
