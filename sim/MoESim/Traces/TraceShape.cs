namespace MoESim.Traces;

/// <summary>
/// The model shape an expert-selection trace was recorded for. A trace replays only on a model
/// with the same MoE layer count, expert count and top-k.
/// </summary>
public sealed record TraceShape
{
    /// <summary>MoE layers per token (dense layers are not in traces), ≥ 1.</summary>
    public required int NumMoeLayers { get; init; }
    /// <summary>Routed experts per MoE layer (shared experts excluded), ≥ 1, ≤ 65,535.</summary>
    public required int NumExperts { get; init; }
    /// <summary>Experts each token picks per layer, 1..NumExperts.</summary>
    public required int TopK { get; init; }
    /// <summary>True when every record carries a gate weight per chosen expert.</summary>
    public bool HasGateWeights { get; init; }
    /// <summary>Free-text model name, for reports (may be empty).</summary>
    public string ModelName { get; init; } = "";

    /// <summary>One line: "L layers x E experts, top-k".</summary>
    public string Describe() => $"{NumMoeLayers} MoE layers x {NumExperts} experts, top-{TopK}";

    /// <summary>True when a routing source or model of this shape can consume the trace.</summary>
    public bool Matches(int numMoeLayers, int numExperts, int topK) =>
        numMoeLayers == NumMoeLayers && numExperts == NumExperts && topK == TopK;
}
