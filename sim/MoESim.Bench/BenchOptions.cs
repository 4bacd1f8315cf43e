using MoESim.Bench.Suite;

namespace MoESim.Bench;

/// <summary>What one <c>moesim bench</c> run does.</summary>
public sealed record BenchOptions
{
    public required AcceleratorChoice Accelerator { get; init; }
    public required SuiteSize Size { get; init; }

    /// <summary>Folder the profile and CSV go to.</summary>
    public required string OutputFolder { get; init; }

    /// <summary>Folder of model YAML files whose shapes the grid uses.</summary>
    public required string ModelsFolder { get; init; }

    /// <summary>Date stamped into file names and sources (yyyy-mm-dd).</summary>
    public required string Date { get; init; }
}
