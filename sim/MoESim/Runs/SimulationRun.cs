using MoESim.Hardware;
using MoESim.Metrics;
using MoESim.Models;
using MoESim.Results;

namespace MoESim.Runs;

/// <summary>A finished single-device simulation with its inputs and derived metrics.</summary>
public sealed record SimulationRun
{
    public required SimulationOptions Options { get; init; }
    public required ModelConfig Model { get; init; }
    public required DeviceProfile Device { get; init; }
    public required string RouterDescription { get; init; }
    public required SimulationResult Result { get; init; }
    public required ServingMetrics Metrics { get; init; }
    public required IReadOnlyList<TimeSeriesPoint> TimeSeries { get; init; }
    /// <summary>Inputs echoed into report.json, in a stable order.</summary>
    public required IReadOnlyDictionary<string, string> EchoedInputs { get; init; }

    /// <summary>What served the run, for titles: its runner names a system and layout; a single-device run, its device.</summary>
    public string? PlatformName { get; init; }

    /// <summary><see cref="PlatformName"/>, or the device's name when the runner gave none.</summary>
    public string PlatformDescription => PlatformName ?? Device.Name;
}
