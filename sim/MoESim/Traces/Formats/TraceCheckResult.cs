namespace MoESim.Traces.Formats;

/// <summary>What a full pass over a valid trace found.</summary>
public sealed record TraceCheckResult
{
    /// <summary>Shape from the header (or inferred, for CSV).</summary>
    public required TraceShape Shape { get; init; }
    /// <summary>Totals counted while streaming.</summary>
    public required TraceCounts Counts { get; init; }
    /// <summary>Chunks in a binary trace; null for text formats.</summary>
    public long? Chunks { get; init; }
}
