using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using MoESim.Config;

namespace MoESim.Traces.Formats;

/// <summary>
/// Reads one chunk frame of a <c>.moetrace</c> (16-byte chunk header, payload, CRC-32) from a
/// file handle and checks it. The streaming reader and the replay index scan both use it, so a
/// damaged chunk is reported in the same words whichever path meets it first.
/// </summary>
internal static class MoeTraceChunkFrame
{
    /// <summary>
    /// Reads and checks the chunk at <paramref name="offset"/>, its payload into the first
    /// Length bytes of <paramref name="buffer"/> (replaced through <paramref name="grow"/> when
    /// too small). Length 0 means a clean end of file at <paramref name="offset"/>.
    /// </summary>
    public static (int Length, int Steps) Read(
        SafeFileHandle file, long fileLength, string path, long offset, ref byte[] buffer, Func<byte[], int, byte[]> grow)
    {
        Span<byte> header = stackalloc byte[MoeTraceFormat.ChunkHeaderBytes];
        var got = ReadFully(file, fileLength, header, offset);
        if (got == 0) return (0, 0);
        if (got < header.Length)
            throw Error(path, offset, "chunk header", $"truncated: {got} of {MoeTraceFormat.ChunkHeaderBytes} bytes");
        if (!header[..4].SequenceEqual(MoeTraceFormat.ChunkMagic))
            throw Error(path, offset, "chunk magic", "expected \"MTCK\" (corrupt file or wrong offset)");
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        var steps = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        if (length is 0 or > MoeTraceFormat.MaxChunkPayloadBytes)
            throw Error(path, offset, "chunk length", $"{length} bytes, expected 1..{MoeTraceFormat.MaxChunkPayloadBytes}");
        if (steps == 0 || steps > length) throw Error(path, offset, "chunk steps", $"{steps} steps in {length} bytes");
        if (buffer.Length < length) buffer = grow(buffer, (int)length);
        var payload = buffer.AsSpan(0, (int)length);
        got = ReadFully(file, fileLength, payload, offset + header.Length);
        if (got < length)
            throw Error(path, offset, "chunk payload", $"truncated: the chunk declares {length} payload bytes, the file ends after {got}");
        var actual = Crc32Fold.Hash(payload);
        if (actual != crc)
            throw Error(path, offset, "chunk crc32", $"stored 0x{crc:x8}, computed 0x{actual:x8}: the chunk is corrupt");
        return ((int)length, (int)steps);
    }

    /// <summary>Reads up to <paramref name="buffer"/>'s length from <paramref name="offset"/>, stopping at the end of the file; returns the bytes read.</summary>
    public static int ReadFully(SafeFileHandle file, long fileLength, Span<byte> buffer, long offset)
    {
        var total = 0;
        while (total < buffer.Length && offset + total < fileLength)
        {
            var n = RandomAccess.Read(file, buffer[total..], offset + total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static InputException Error(string path, long chunkOffset, string field, string problem) =>
        new(path, $"chunk at byte {chunkOffset}: {field}", problem);
}
