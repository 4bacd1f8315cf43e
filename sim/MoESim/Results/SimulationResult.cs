using MoESim.Engine;

namespace MoESim.Results;

/// <summary>Everything a serving simulation produced, for metrics, tables and plots.</summary>
public sealed record SimulationResult
{
    public required IReadOnlyList<RequestOutcome> Requests { get; init; }
    public required IReadOnlyList<IterationRecord> Iterations { get; init; }
    public required MemoryPlan Memory { get; init; }
    /// <summary>Simulated time from the first arrival to the last token, seconds.</summary>
    public required double MakespanSeconds { get; init; }
    /// <summary>Time the device was computing, seconds.</summary>
    public required double BusySeconds { get; init; }
    public required long EventsProcessed { get; init; }
    public required long PeakKvReservedBytes { get; init; }
    /// <summary>The recorded timeline, or null when not requested.</summary>
    public TimelineRecorder? Timeline { get; init; }
}
