namespace MoESim.Results;

/// <summary>How a device's (or a whole system's) memory is split between weights and KV cache, bytes.</summary>
public sealed record MemoryPlan
{
    /// <summary>Memory the engine may use: capacity × utilisation, bytes.</summary>
    public required double UsableBytes { get; init; }
    public required double WeightBytes { get; init; }
    /// <summary>What is left for the KV cache, bytes.</summary>
    public required double KvCacheBytes { get; init; }
    public required double KvBytesPerToken { get; init; }

    /// <summary>Tokens the KV cache holds across all sequences.</summary>
    public long KvCacheTokens => (long)Math.Floor(KvCacheBytes / KvBytesPerToken);
}
