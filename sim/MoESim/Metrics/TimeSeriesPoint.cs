namespace MoESim.Metrics;

/// <summary>Metrics over one time window of a run.</summary>
public readonly record struct TimeSeriesPoint
{
    /// <summary>Window midpoint, seconds from the first arrival.</summary>
    public required double TimeSeconds { get; init; }
    public required double OutputTokensPerSecond { get; init; }
    public required double PromptTokensPerSecond { get; init; }
    /// <summary>Busy fraction of the window, [0, 1].</summary>
    public required double DeviceBusyFraction { get; init; }
    public required double ComputeUtilization { get; init; }
    public required double MemoryBandwidthUtilization { get; init; }
    /// <summary>Mean TTFT of requests whose first token fell in the window, seconds (NaN if none).</summary>
    public required double MeanTtftSeconds { get; init; }
    /// <summary>Mean TPOT of requests finishing in the window, seconds (NaN if none).</summary>
    public required double MeanTpotSeconds { get; init; }
    /// <summary>KV cache reserved, time mean over the window, fraction of capacity [0, 1] (held between passes too).</summary>
    public required double KvCacheFraction { get; init; }
}
