namespace MoESim.Traces.Formats;

/// <summary>
/// Byte layout of the binary <c>.moetrace</c> format (little-endian; documented byte by byte in
/// traces/README.md). A fixed header with the shape and counts, then chunks of whole steps.
/// </summary>
internal static class MoeTraceFormat
{
    /// <summary>File magic, bytes 0..7.</summary>
    public static ReadOnlySpan<byte> FileMagic => "MOETRACE"u8;
    /// <summary>Chunk magic, first 4 bytes of every chunk header.</summary>
    public static ReadOnlySpan<byte> ChunkMagic => "MTCK"u8;
    public const ushort Version = 1;
    /// <summary>Flag bit 0: each selection carries a float32 gate weight.</summary>
    public const ushort FlagGateWeights = 1;
    /// <summary>Header bytes before the model name (name length is the last field).</summary>
    public const int FixedHeaderBytes = 74;
    public const int MaxModelNameBytes = 1024;
    /// <summary>Chunk header: magic, payload length, step count, payload CRC32 (4 bytes each).</summary>
    public const int ChunkHeaderBytes = 16;
    /// <summary>Writers close a chunk once its payload reaches this size (a larger step gets a chunk of its own).</summary>
    public const int TargetChunkPayloadBytes = 1 << 20;
    /// <summary>Readers reject a chunk declaring a larger payload (bounds reader memory).</summary>
    public const int MaxChunkPayloadBytes = 1 << 28;

    /// <summary>Bytes per expert id: 1 when experts ≤ 256, else 2.</summary>
    public static int IdBytes(int experts) => experts <= 256 ? 1 : 2;
}
