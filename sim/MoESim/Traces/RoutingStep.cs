namespace MoESim.Traces;

/// <summary>
/// The routing of one request in one iteration (a prefill chunk or one decode step): for every
/// MoE layer and token, the top-k expert ids and optionally their gate weights. A reusable
/// buffer: readers refill the same instance record after record, so streaming a trace of any
/// size allocates nothing per step once the buffers have grown to the largest step.
/// </summary>
/// <remarks>
/// Layout is layer-major: the k choices of token t (0-based within the step) at MoE layer l sit
/// at <c>(l * TokenCount + t) * TopK .. + TopK</c>. Layer-major matches the JSONL records (one per
/// request, iteration and layer) and makes per-layer statistics a contiguous scan.
/// </remarks>
public sealed class RoutingStep
{
    private int[] _expertIds = new int[256];
    private float[] _gateWeights = new float[256];

    /// <summary>Request id (≥ 0), as in the request trace.</summary>
    public int RequestId { get; set; }
    /// <summary>Iteration of this request: 0 for its first prefill chunk, increasing by one per step.</summary>
    public int Iteration { get; set; }
    /// <summary>Position in the request of the step's first token (prompt tokens first), ≥ 0.</summary>
    public int FirstTokenIndex { get; set; }
    /// <summary>Tokens in the step, ≥ 1 (1 for a decode step).</summary>
    public int TokenCount { get; private set; }
    /// <summary>True for prompt tokens (prefill), false for a generated token (decode).</summary>
    public bool IsPrefill { get; set; }
    /// <summary>MoE layers in the step (the trace's layer count).</summary>
    public int NumMoeLayers { get; private set; }
    /// <summary>Choices per token and layer.</summary>
    public int TopK { get; private set; }
    /// <summary>True when <see cref="GateWeights"/> holds data for this step.</summary>
    public bool HasGateWeights { get; set; }

    /// <summary>Expert ids, layer-major (see remarks); length layers × tokens × k.</summary>
    public Span<int> ExpertIds => _expertIds.AsSpan(0, NumMoeLayers * TokenCount * TopK);
    /// <summary>Gate weights in the same layout as <see cref="ExpertIds"/> (meaningful only when <see cref="HasGateWeights"/>).</summary>
    public Span<float> GateWeights => _gateWeights.AsSpan(0, NumMoeLayers * TokenCount * TopK);

    /// <summary>The k expert ids of <paramref name="token"/> at MoE layer <paramref name="layer"/>.</summary>
    public Span<int> Experts(int layer, int token) => _expertIds.AsSpan((layer * TokenCount + token) * TopK, TopK);

    /// <summary>The expert ids of every token at one layer (tokens × k).</summary>
    public Span<int> Layer(int layer) => _expertIds.AsSpan(layer * TokenCount * TopK, TokenCount * TopK);

    /// <summary>Sizes the buffers for a step; contents are left for the caller to fill.</summary>
    public void Reset(int requestId, int iteration, int firstTokenIndex, int tokenCount, bool isPrefill, int numMoeLayers, int topK, bool hasGateWeights)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokenCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numMoeLayers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(topK, 1);
        RequestId = requestId;
        Iteration = iteration;
        FirstTokenIndex = firstTokenIndex;
        IsPrefill = isPrefill;
        TokenCount = tokenCount;
        NumMoeLayers = numMoeLayers;
        TopK = topK;
        HasGateWeights = hasGateWeights;
        var need = checked(numMoeLayers * tokenCount * topK);
        if (_expertIds.Length < need)
        {
            var size = Math.Max(need, _expertIds.Length * 2);
            _expertIds = new int[size];
            _gateWeights = new float[size];
        }
    }

    /// <summary>Copies another step into this one (used where a reader must keep a step).</summary>
    public void CopyFrom(RoutingStep other)
    {
        Reset(other.RequestId, other.Iteration, other.FirstTokenIndex, other.TokenCount, other.IsPrefill, other.NumMoeLayers, other.TopK, other.HasGateWeights);
        other.ExpertIds.CopyTo(ExpertIds);
        if (other.HasGateWeights) other.GateWeights.CopyTo(GateWeights);
    }
}
