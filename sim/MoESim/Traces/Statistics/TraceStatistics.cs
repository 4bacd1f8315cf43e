namespace MoESim.Traces.Statistics;

/// <summary>Everything <c>trace stats</c> measures in one trace.</summary>
public sealed record TraceStatistics
{
    /// <summary>Model shape of the trace.</summary>
    public required TraceShape Shape { get; init; }
    /// <summary>Options used (sample fraction, top-m, matrix layer).</summary>
    public required TraceStatisticsOptions Options { get; init; }
    /// <summary>Steps (request iterations) read.</summary>
    public required long Steps { get; init; }
    /// <summary>Distinct requests sampled for the expensive statistics.</summary>
    public required int SampledRequests { get; init; }
    /// <summary>Prefill then decode.</summary>
    public required IReadOnlyList<PhaseStatistics> Phases { get; init; }
}
