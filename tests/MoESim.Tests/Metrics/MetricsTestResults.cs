using MoESim.Serving;
using MoESim.Results;

namespace MoESim.Tests.Metrics;

/// <summary>Hand-made simulation results for metric tests.</summary>
internal static class MetricsTestResults
{
    public const long Ps = 1_000_000_000_000L;

    /// <summary>A pass; <paramref name="kvDuring"/> and <paramref name="kvAfter"/> are the KV-cache bytes reserved while it ran and when it ended.</summary>
    public static IterationRecord Pass(double startS, double endS, double flops, double bytes, int prefill, int decode, int output, long kvDuring = 0, long kvAfter = 0) => new()
    {
        StartPicoseconds = (long)(startS * Ps),
        EndPicoseconds = (long)(endS * Ps),
        PrefillTokens = prefill,
        DecodeSequences = decode,
        OutputTokens = output,
        Flops = flops,
        Bytes = bytes,
        KvReservedDuringPassBytes = kvDuring,
        KvReservedBytes = kvAfter,
        RunningSequences = 1,
    };

    public static MemoryPlan Memory(double kvBytes = 1000) => new()
    {
        UsableBytes = 5000,
        WeightBytes = 4000,
        KvCacheBytes = kvBytes,
        KvBytesPerToken = 10,
    };

    public static SimulationResult Result(RequestOutcome[] requests, IterationRecord[] iterations, double makespan, double busy) => new()
    {
        Requests = requests,
        Iterations = iterations,
        Memory = Memory(),
        MakespanSeconds = makespan,
        BusySeconds = busy,
        EventsProcessed = 0,
        PeakKvReservedBytes = 0,
    };
}
