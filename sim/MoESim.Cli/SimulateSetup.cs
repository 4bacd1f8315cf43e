using MoESim.Serving;
using MoESim.Serving.Policies;
using MoESim.Runs;

namespace MoESim.Cli;

/// <summary>What one <c>simulate</c> call runs, from its flags and, with <c>--scenario</c>, the scenario file under them.</summary>
internal sealed record SimulateSetup
{
    /// <summary>Model, workload, routing, seed and batching limits.</summary>
    public required SimulationOptions Options { get; init; }

    /// <summary>The serving policy: <see cref="SingleDevicePolicy"/> or <see cref="ExpertParallelPolicy"/>.</summary>
    public required IServingPolicy Policy { get; init; }

    /// <summary>System profile path when the policy serves on a multi-GPU system; null for one device.</summary>
    public string? SystemPath { get; init; }

    /// <summary>The scenario file, echoed in report.json as <c>inputs.scenario</c>; null without <c>--scenario</c>.</summary>
    public string? ScenarioFile { get; init; }

    /// <summary>The loaded scenario; null without <c>--scenario</c>.</summary>
    public Scenario? Scenario { get; init; }
}
