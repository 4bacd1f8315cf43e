namespace MoESim.Traces.Synthetic;

/// <summary>
/// Everything the synthetic trace generator (router v2) needs: model shape, seed, successor-set
/// size, prefill chunking and per-phase routing parameters. Validate with
/// <see cref="TraceGeneratorConfigValidator"/> before use.
/// </summary>
public sealed record TraceGeneratorConfig
{
    /// <summary>MoE layers per token, ≥ 1.</summary>
    public required int NumMoeLayers { get; init; }
    /// <summary>Routed experts per layer, 1..65,535.</summary>
    public required int NumExperts { get; init; }
    /// <summary>Experts per token and layer, 1..NumExperts.</summary>
    public required int TopK { get; init; }
    /// <summary>Seed of every random choice (popularity ranks, successor sets, draws).</summary>
    public required ulong Seed { get; init; }
    /// <summary>Model name written into the trace header (may be empty).</summary>
    public string ModelName { get; init; } = "";
    /// <summary>
    /// Successor-set size m: how many experts at layer l+1 each expert at layer l prefers under
    /// affinity. 1..NumExperts; default 2 (the reference's "~62% of mass on one expert" is m = 1).
    /// </summary>
    public int SuccessorSetSize { get; init; } = 2;
    /// <summary>Prompt tokens per prefill step (chunked prefill), ≥ 1.</summary>
    public int PrefillChunkTokens { get; init; } = 512;
    /// <summary>Routing of prompt tokens.</summary>
    public required RoutingPhaseParameters Prefill { get; init; }
    /// <summary>Routing of generated tokens.</summary>
    public required RoutingPhaseParameters Decode { get; init; }

    /// <summary>The trace shape this configuration produces.</summary>
    public TraceShape Shape => new() { NumMoeLayers = NumMoeLayers, NumExperts = NumExperts, TopK = TopK, ModelName = ModelName };

    /// <summary>True when neither phase has locality or affinity and both share one popularity (the v1 router's model).</summary>
    public bool IsMemoryless =>
        Prefill.Locality == 0 && Prefill.Affinity == 0 && Decode.Locality == 0 && Decode.Affinity == 0
        && Prefill.Histogram is null && Decode.Histogram is null && Prefill.ZipfExponent == Decode.ZipfExponent;

    /// <summary>True when a model with this MoE shape can use the configuration.</summary>
    public bool Matches(int numMoeLayers, int numExperts, int topK) =>
        numMoeLayers == NumMoeLayers && numExperts == NumExperts && topK == TopK;
}
