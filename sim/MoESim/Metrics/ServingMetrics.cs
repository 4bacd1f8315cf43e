using MoESim.Results;

namespace MoESim.Metrics;

/// <summary>Headline metrics of a serving run.</summary>
public sealed record ServingMetrics
{
    public required int Requests { get; init; }
    public required LatencySummary Ttft { get; init; }
    public required LatencySummary Tpot { get; init; }
    public required LatencySummary EndToEnd { get; init; }
    /// <summary>Generated tokens per simulated second over the makespan.</summary>
    public required double OutputTokensPerSecond { get; init; }
    /// <summary>Prompt tokens processed per simulated second.</summary>
    public required double PromptTokensPerSecond { get; init; }
    public required double RequestsPerSecond { get; init; }
    public required double MakespanSeconds { get; init; }
    /// <summary>Fraction of the makespan the device was busy, [0, 1].</summary>
    public required double DeviceBusyFraction { get; init; }
    /// <summary>Achieved FLOP/s over the makespan divided by the peak of the model's GEMM type.</summary>
    public required double ComputeUtilization { get; init; }
    /// <summary>Achieved memory traffic over the makespan divided by peak bandwidth.</summary>
    public required double MemoryBandwidthUtilization { get; init; }
    public required double WeightBytes { get; init; }
    public required double KvCacheCapacityBytes { get; init; }
    public required double PeakKvReservedBytes { get; init; }
    public required long Passes { get; init; }
    public required long EventsProcessed { get; init; }

    /// <summary>Computes the metrics of <paramref name="result"/> against the device's peaks.</summary>
    public static ServingMetrics From(SimulationResult result, double peakFlopsPerSecond, double bandwidthBytesPerSecond)
    {
        double flops = 0, bytes = 0;
        foreach (var it in result.Iterations) { flops += it.Flops; bytes += it.Bytes; }
        var makespan = result.MakespanSeconds;
        long outputTokens = 0, promptTokens = 0;
        foreach (var r in result.Requests) { outputTokens += r.OutputTokens; promptTokens += r.PromptTokens; }
        double PerSecond(double x) => makespan > 0 ? x / makespan : 0;
        return new ServingMetrics
        {
            Requests = result.Requests.Count,
            Ttft = LatencySummary.Of(result.Requests.Select(r => r.TtftSeconds)),
            Tpot = LatencySummary.Of(result.Requests.Select(r => r.TpotSeconds)),
            EndToEnd = LatencySummary.Of(result.Requests.Select(r => r.EndToEndSeconds)),
            OutputTokensPerSecond = PerSecond(outputTokens),
            PromptTokensPerSecond = PerSecond(promptTokens),
            RequestsPerSecond = PerSecond(result.Requests.Count),
            MakespanSeconds = makespan,
            DeviceBusyFraction = makespan > 0 ? Math.Min(1, result.BusySeconds / makespan) : 0,
            ComputeUtilization = PerSecond(flops) / peakFlopsPerSecond,
            MemoryBandwidthUtilization = PerSecond(bytes) / bandwidthBytesPerSecond,
            WeightBytes = result.Memory.WeightBytes,
            KvCacheCapacityBytes = result.Memory.KvCacheBytes,
            PeakKvReservedBytes = result.PeakKvReservedBytes,
            Passes = result.Iterations.Count,
            EventsProcessed = result.EventsProcessed,
        };
    }
}
