using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace MoESim.Traces.Replay;

/// <summary>
/// Writes a replay index file's body: little-endian values and arrays (blitted: the file is only
/// read back on a little-endian machine), with a running CRC-32 that <see cref="Finish"/> appends.
/// </summary>
internal sealed class ReplayIndexWriter(Stream stream)
{
    private readonly Crc32 _crc = new();

    public void Write(int value) => Write<int>([value]);
    public void Write(long value) => Write<long>([value]);

    /// <summary>Writes <paramref name="values"/> as their in-memory bytes.</summary>
    public void Write<T>(ReadOnlySpan<T> values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values);
        _crc.Append(bytes);
        stream.Write(bytes);
    }

    /// <summary>Appends the CRC-32 of everything written.</summary>
    public void Finish() => stream.Write(BitConverter.GetBytes(_crc.GetCurrentHashAsUInt32()));
}
