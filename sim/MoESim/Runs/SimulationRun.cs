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

    /// <summary>What served the run, for titles: the system (and its layout) when one was used, else the device.</summary>
    public string PlatformDescription =>
        EchoedInputs.TryGetValue("system", out var system)
            ? EchoedInputs.TryGetValue("pipeline_stages", out var stages) ? $"{system} (PP {stages})" : system
            : Device.Name;
}
