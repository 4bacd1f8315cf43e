namespace MoESim.Serving;

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
    /// <summary>KV-cache bytes reserved by running sequences during the pass.</summary>
    public required long KvReservedBytes { get; init; }
    public required int RunningSequences { get; init; }
}
