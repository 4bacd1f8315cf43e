using MoESim.Serving;
using MoESim.Serving.Policies;
using MoESim.Units;

namespace MoESim.Runs;

/// <summary>
/// One simulation as a scenario file (<c>scenarios/*.yaml</c>) describes it: workload, model,
/// hardware (one device) or system (multi-GPU), routing, seed, batching limits and the serving
/// policy with its parameters. Paths are resolved by the loader; the record does no I/O.
/// Exactly one of <see cref="HardwarePath"/> and <see cref="SystemPath"/> is set, matching
/// the policy's <see cref="IServingPolicy.RunsOnSystem"/>.
/// </summary>
public sealed record Scenario
{
    /// <summary>Short name of the scenario (shown in the summary).</summary>
    public required string Name { get; init; }

    /// <summary>What the scenario models, in a sentence; null when not given.</summary>
    public string? Description { get; init; }

    /// <summary>Model YAML path.</summary>
    public required string ModelPath { get; init; }

    /// <summary>Overrides the model's weight data type; null keeps the model's.</summary>
    public DataType? WeightDataType { get; init; }

    /// <summary>Device profile YAML path for one-device policies; null when <see cref="SystemPath"/> is set.</summary>
    public string? HardwarePath { get; init; }

    /// <summary>System profile YAML path for multi-GPU policies; null when <see cref="HardwarePath"/> is set.</summary>
    public string? SystemPath { get; init; }

    /// <summary>The request stream.</summary>
    public required ScenarioWorkload Workload { get; init; }

    /// <summary>Which experts tokens choose; uniform synthetic routing by default.</summary>
    public ScenarioRouting Routing { get; init; } = new();

    /// <summary>The seed when a scenario gives none (the command line's default).</summary>
    public const ulong DefaultSeed = 42;

    /// <summary>Seed of every random choice in the run.</summary>
    public ulong Seed { get; init; } = DefaultSeed;

    /// <summary>Continuous-batching limits (per data-parallel group under expert parallelism).</summary>
    public ServingConfig Serving { get; init; } = new();

    /// <summary>The serving policy and its parameters (typed by <see cref="ServingPolicyFactory.Create"/>).</summary>
    public required ServingPolicy Policy { get; init; }

    /// <summary>
    /// The simulation options this scenario gives: the same record the equivalent command-line
    /// flags build. <paramref name="fallbackHardwarePath"/> fills <see cref="SimulationOptions.HardwarePath"/>
    /// when the scenario names a system (expert-parallel runs ignore it).
    /// </summary>
    public SimulationOptions ToSimulationOptions(string fallbackHardwarePath)
    {
        // With a request trace the Poisson fields are unused; the command line passes rate 1 and
        // the generator's defaults then, and so does this, so both give equal options.
        var poisson = Workload.Poisson ?? new PoissonArrivals { RatePerSecond = 1 };
        return new SimulationOptions
        {
            ModelPath = ModelPath,
            HardwarePath = HardwarePath ?? fallbackHardwarePath,
            RequestTracePath = Workload.Poisson is null ? Workload.RequestsPath : null,
            MaxRequests = Workload.MaxRequests,
            PoissonRatePerSecond = poisson.RatePerSecond,
            PoissonRequests = poisson.Requests,
            PromptTokensMin = poisson.PromptTokens,
            PromptTokensMax = poisson.PromptTokens,
            OutputTokensMin = poisson.OutputTokens,
            OutputTokensMax = poisson.OutputTokens,
            WeightDataType = WeightDataType,
            RouterZipfExponent = Routing.ZipfExponent,
            RoutingTracePath = Routing.TracePath,
            RouterParametersPath = Routing.RouterParametersPath,
            Seed = Seed,
            Serving = Serving,
        };
    }
}
