using MoESim.Hardware.Topology;
using MoESim.Metrics;
using MoESim.Models;

namespace MoESim.Runs;

/// <summary>A finished expert-parallel simulation with its inputs, for reports, tables and plots.</summary>
public sealed record ExpertParallelRun
{
    public required SimulationOptions Options { get; init; }
    public required ModelConfig Model { get; init; }
    public required SystemTopology System { get; init; }
    public required string RouterDescription { get; init; }
    /// <summary>Strategy of the expert placement used (e.g. "contiguous").</summary>
    public required string PlacementStrategy { get; init; }
    public required ExpertParallelResult Result { get; init; }
    public required IReadOnlyList<TimeSeriesPoint> TimeSeries { get; init; }
    /// <summary>Inputs echoed into report.json, in a stable order.</summary>
    public required IReadOnlyDictionary<string, string> EchoedInputs { get; init; }
}
