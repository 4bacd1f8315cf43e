using System.Buffers.Binary;
using MoESim.IO;
using MoESim.Traces.Formats;

namespace MoESim.Traces.Replay;

/// <summary>
/// The replay index of a binary trace saved next to it (<c>TRACE.replay-index</c>), so a second
/// <c>simulate</c> on the same trace skips the index pass (reading, CRC-checking and summarising
/// every chunk). The file is keyed by the trace's size, last-write time and header CRC and by
/// the summary budget, and carries a CRC-32 of its own body: any mismatch, a corrupt or
/// truncated file, or another format version means a fresh pass, whose result replaces the
/// file (written atomically). Saving is best effort: a folder that cannot be written just means
/// no index file. A trace rewritten in place with the same size and modification time would not
/// be noticed: delete its index file (or run <c>moesim trace check</c>) after such surgery.
/// </summary>
internal static class ReplayIndexFile
{
    private const int FormatVersion = 1;
    private static ReadOnlySpan<byte> Magic => "MOERIDX\0"u8;

    /// <summary>What the index file must match: the trace's size, last write (UTC ticks) and header CRC.</summary>
    public readonly record struct TraceKey(long Length, long LastWriteTicks, uint HeaderCrc);

    /// <summary>Where the index of <paramref name="tracePath"/> lives.</summary>
    public static string PathFor(string tracePath) => tracePath + ".replay-index";

    /// <summary>The key of <paramref name="tracePath"/> now, whose header (already checked) ends with <paramref name="headerCrc"/>.</summary>
    public static TraceKey KeyOf(string tracePath, uint headerCrc)
    {
        var info = new FileInfo(tracePath);
        return new TraceKey(info.Length, info.LastWriteTimeUtc.Ticks, headerCrc);
    }

    /// <summary>The saved index if its file matches <paramref name="key"/>, the shape and the budget; otherwise null.</summary>
    public static (ReplayIndexEntry[] Index, ReplayRoutingSummary? Summary)? TryLoad(string tracePath, TraceKey key, TraceShape shape, long summaryBudgetBytes)
    {
        var path = PathFor(tracePath);
        if (!BitConverter.IsLittleEndian || !File.Exists(path)) return null;
        var bytes = Array.Empty<byte>();
        try
        {
            // Into a pooled buffer: the file is a few MB, and fresh memory is slow to touch.
            int length;
            using (var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                var fileLength = RandomAccess.GetLength(file);
                if (fileLength < PrefixBytes + 4 || fileLength > Array.MaxLength) return null;
                // The key first: a stale file (the trace was rewritten) is not read and checked whole.
                Span<byte> prefix = stackalloc byte[PrefixBytes];
                if (!TryReadAt(file, prefix, 0) || !PrefixMatches(prefix, key, shape, summaryBudgetBytes)) return null;
                length = (int)fileLength;
                bytes = PooledArrays.Rent<byte>(length);
                if (!TryReadAt(file, bytes.AsSpan(0, length), 0)) return null;
            }
            var body = bytes.AsSpan(0, length - 4);
            if (Crc32Fold.Hash(body) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(length - 4))) return null;
            return Parse(body, key, shape, summaryBudgetBytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException) { return null; }
        finally
        {
            PooledArrays.Return(bytes);
        }
    }

    /// <summary>Bytes before the request count: magic, version, key, shape and budget.</summary>
    private const int PrefixBytes = 8 + sizeof(int) + 2 * sizeof(long) + sizeof(uint) + 3 * sizeof(int) + sizeof(long);

    private static bool TryReadAt(Microsoft.Win32.SafeHandles.SafeFileHandle file, Span<byte> target, long offset)
    {
        for (var got = 0; got < target.Length;)
        {
            var n = RandomAccess.Read(file, target[got..], offset + got);
            if (n == 0) return false;
            got += n;
        }
        return true;
    }

    /// <summary>True when the file's prefix names this format version, trace key, shape and budget.</summary>
    private static bool PrefixMatches(ReadOnlySpan<byte> body, TraceKey key, TraceShape shape, long summaryBudgetBytes)
    {
        if (!body.StartsWith(Magic)) return false;
        var reader = new ReplayIndexReader(body[Magic.Length..]);
        if (reader.ReadInt32() != FormatVersion) return false;
        var stored = new TraceKey(reader.ReadInt64(), reader.ReadInt64(), (uint)reader.ReadInt32());
        return stored == key && reader.ReadInt32() == shape.NumMoeLayers && reader.ReadInt32() == shape.NumExperts
            && reader.ReadInt32() == shape.TopK && reader.ReadInt64() == summaryBudgetBytes;
    }

    private static (ReplayIndexEntry[], ReplayRoutingSummary?)? Parse(ReadOnlySpan<byte> body, TraceKey key, TraceShape shape, long summaryBudgetBytes)
    {
        if (!PrefixMatches(body, key, shape, summaryBudgetBytes)) return null;
        var reader = new ReplayIndexReader(body[PrefixBytes..]);
        var count = reader.ReadInt32();
        if (count < 1) throw new InvalidDataException("no trace requests");
        var index = new ReplayIndexEntry[count];
        for (var i = 0; i < count; i++)
        {
            var id = reader.ReadInt32();
            var position = new TracePosition(reader.ReadInt64(), 0, reader.ReadInt32());
            index[i] = new ReplayIndexEntry(id, position, reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
        }
        var summary = reader.ReadInt32() == 0 ? null : ReplayRoutingSummary.Read(ref reader, shape.NumMoeLayers, shape.NumExperts, shape.TopK, count);
        if (!reader.AtEnd)
        {
            summary?.Dispose();
            throw new InvalidDataException("trailing bytes");
        }
        return (index, summary);
    }

    /// <summary>Deletes the index file of <paramref name="tracePath"/> if there is one (best effort).</summary>
    public static void TryDelete(string tracePath)
    {
        try
        {
            File.Delete(PathFor(tracePath));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>
    /// Saves the index of <paramref name="tracePath"/>, built while its key was <paramref name="key"/>;
    /// skipped if the trace changed meanwhile or the folder cannot be written.
    /// </summary>
    public static void TrySave(string tracePath, TraceKey key, TraceShape shape, long summaryBudgetBytes, ReplayIndexEntry[] index, ReplayRoutingSummary? summary)
    {
        if (!BitConverter.IsLittleEndian) return;
        try
        {
            if (KeyOf(tracePath, key.HeaderCrc) != key) return;
            AtomicFile.Write(PathFor(tracePath), stream =>
            {
                using var buffered = new BufferedStream(stream, 1 << 16);
                var writer = new ReplayIndexWriter(buffered);
                writer.Write(Magic);
                writer.Write(FormatVersion);
                writer.Write(key.Length);
                writer.Write(key.LastWriteTicks);
                writer.Write((int)key.HeaderCrc);
                writer.Write(shape.NumMoeLayers);
                writer.Write(shape.NumExperts);
                writer.Write(shape.TopK);
                writer.Write(summaryBudgetBytes);
                writer.Write(index.Length);
                foreach (var e in index)
                {
                    writer.Write(e.RequestId);
                    writer.Write(e.FirstStep.ByteOffset);
                    writer.Write(e.FirstStep.StepInChunk);
                    writer.Write(e.Steps);
                    writer.Write(e.PrefillTokens);
                    writer.Write(e.DecodeTokens);
                }
                writer.Write(summary is null ? 0 : 1);
                summary?.Write(writer, index.Length);
                writer.Finish();
            });
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
