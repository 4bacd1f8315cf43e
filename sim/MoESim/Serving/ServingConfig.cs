namespace MoESim.Serving;

/// <summary>Continuous-batching limits of a serving engine (vLLM-style defaults).</summary>
public sealed record ServingConfig
{
    /// <summary>Most tokens (prefill chunk tokens plus one per decode sequence) in one pass.</summary>
    public int MaxBatchTokens { get; init; } = 8192;

    /// <summary>Most sequences running (admitted, holding KV cache) at once.</summary>
    public int MaxSequences { get; init; } = 256;

    /// <summary>Fraction of device memory the engine may use for weights and KV cache (0, 1].</summary>
    public double MemoryUtilization { get; init; } = 0.9;

    /// <summary>Record a Chrome trace-event timeline of every pass.</summary>
    public bool RecordTimeline { get; init; }

    /// <summary>Checks ranges; returns problems as (field, message) pairs.</summary>
    public IEnumerable<(string Field, string Problem)> Validate()
    {
        if (MaxBatchTokens < 1) yield return ("max_batch_tokens", $"must be at least 1, got {MaxBatchTokens}");
        if (MaxSequences < 1) yield return ("max_sequences", $"must be at least 1, got {MaxSequences}");
        // Every running sequence decodes one token per pass, so a pass could not stay within
        // max_batch_tokens otherwise (vLLM rejects max_num_batched_tokens < max_num_seqs too).
        if (MaxBatchTokens >= 1 && MaxSequences >= 1 && MaxBatchTokens < MaxSequences)
            yield return ("max_batch_tokens", $"must be at least max_sequences ({MaxSequences}): every running sequence decodes one token per pass; got {MaxBatchTokens}");
        if (!(MemoryUtilization > 0 && MemoryUtilization <= 1)) yield return ("memory_utilization", $"must be in (0, 1], got {MemoryUtilization}");
    }
}
