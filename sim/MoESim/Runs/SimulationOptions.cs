using MoESim.Serving;
using MoESim.Units;

namespace MoESim.Runs;

/// <summary>Everything a single-device serving simulation needs, as given by the user.</summary>
public sealed record SimulationOptions
{
    /// <summary>Path of the model YAML.</summary>
    public required string ModelPath { get; init; }
    /// <summary>Path of the device profile YAML.</summary>
    public required string HardwarePath { get; init; }
    /// <summary>Request trace CSV; null to generate Poisson arrivals instead.</summary>
    public string? RequestTracePath { get; init; }
    /// <summary>Use at most this many requests of the trace (null: all).</summary>
    public int? MaxRequests { get; init; }
    /// <summary>Poisson arrival rate when no trace is given, requests/s.</summary>
    public double PoissonRatePerSecond { get; init; } = 2.0;
    /// <summary>Poisson request count when no trace is given.</summary>
    public int PoissonRequests { get; init; } = 200;
    /// <summary>Poisson prompt length bounds, tokens.</summary>
    public int PromptTokensMin { get; init; } = 512;
    public int PromptTokensMax { get; init; } = 512;
    /// <summary>Poisson output length bounds, tokens.</summary>
    public int OutputTokensMin { get; init; } = 128;
    public int OutputTokensMax { get; init; } = 128;
    /// <summary>Overrides the model's weight data type (e.g. fp8 to fit a device).</summary>
    public DataType? WeightDataType { get; init; }
    /// <summary>Expert-selection trace to replay (.jsonl, .moetrace, .csv); null for the synthetic router.</summary>
    public string? RoutingTracePath { get; init; }
    /// <summary>
    /// Whether replay of a binary trace may load and save its index in <c>TRACE.replay-index</c>
    /// (skips the index pass on later runs; saved for traces of 128 MiB and more; see
    /// traces/README.md, "Replay"). Default true.
    /// </summary>
    public bool UseTraceIndexFile { get; init; } = true;
    /// <summary>
    /// Smallest binary trace whose index is saved after an index pass, bytes (default
    /// <see cref="Traces.Replay.TraceReplayRouter.IndexFileMinTraceBytes"/>; benchmarks and tests lower it).
    /// </summary>
    internal long TraceIndexFileMinBytes { get; init; } = Traces.Replay.TraceReplayRouter.IndexFileMinTraceBytes;
    /// <summary>
    /// Synthetic router v2 parameters (a params.json written by <c>trace gen</c> or <c>trace gen --fit</c>):
    /// popularity, locality and affinity per phase; null for the plain Zipf router. The run's seed
    /// replaces the file's seed, so <see cref="Seed"/> governs every random choice.
    /// </summary>
    public string? RouterParametersPath { get; init; }
    /// <summary>Zipf exponent of the synthetic router (0 = uniform).</summary>
    public double RouterZipfExponent { get; init; }
    /// <summary>Seed of every random choice in the run.</summary>
    public ulong Seed { get; init; } = 42;
    public ServingConfig Serving { get; init; } = new();
}
