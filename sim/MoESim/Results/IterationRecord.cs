namespace MoESim.Results;

/// <summary>One forward pass as it ran: when, what it processed, and its work.</summary>
public readonly record struct IterationRecord
{
    public required long StartPicoseconds { get; init; }
    public required long EndPicoseconds { get; init; }
    public required int PrefillTokens { get; init; }
    public required int DecodeSequences { get; init; }
    /// <summary>Tokens emitted (first tokens of completed prompts plus decode tokens).</summary>
    public required int OutputTokens { get; init; }
    public required double Flops { get; init; }
    public required double Bytes { get; init; }
    /// <summary>
    /// KV-cache bytes reserved while the pass ran: every running sequence's reservation,
    /// including those admitted when the pass was formed.
    /// </summary>
    public required long KvReservedDuringPassBytes { get; init; }
    /// <summary>
    /// KV-cache bytes reserved when the pass ended, after sequences that finished in it released
    /// theirs; held unchanged until the next pass admits new sequences.
    /// </summary>
    public required long KvReservedBytes { get; init; }
    public required int RunningSequences { get; init; }
}
