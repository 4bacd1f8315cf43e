namespace MoESim.Traces.Replay;

/// <summary>
/// One step as <see cref="MoeTraceScanner"/> hands it out: header fields and the step's
/// one-byte expert ids in the file's layer-major layout (<c>(layer × tokens + token) × k + choice</c>),
/// a view into the scanner's chunk buffer that the next scan call overwrites.
/// </summary>
internal readonly ref struct ScannedStep
{
    public ScannedStep(int requestId, int iteration, int firstTokenIndex, int tokens, bool isPrefill, ReadOnlySpan<byte> ids)
    {
        RequestId = requestId;
        Iteration = iteration;
        FirstTokenIndex = firstTokenIndex;
        Tokens = tokens;
        IsPrefill = isPrefill;
        Ids = ids;
    }

    /// <summary>Request id (≥ 0).</summary>
    public int RequestId { get; }
    /// <summary>Iteration of the request (≥ 0).</summary>
    public int Iteration { get; }
    /// <summary>Position of the step's first token in its request (≥ 0).</summary>
    public int FirstTokenIndex { get; }
    /// <summary>Tokens in the step (≥ 1).</summary>
    public int Tokens { get; }
    /// <summary>True for prompt tokens.</summary>
    public bool IsPrefill { get; }
    /// <summary>Layers × tokens × k expert ids, one byte each.</summary>
    public ReadOnlySpan<byte> Ids { get; }
}
