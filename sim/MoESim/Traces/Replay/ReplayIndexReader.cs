using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace MoESim.Traces.Replay;

/// <summary>A cursor over a replay index file's body, the counterpart of <see cref="ReplayIndexWriter"/>; running past the end throws <see cref="InvalidDataException"/>.</summary>
internal ref struct ReplayIndexReader(ReadOnlySpan<byte> body)
{
    private ReadOnlySpan<byte> _rest = body;

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    /// <summary>Fills <paramref name="values"/> from the next bytes.</summary>
    public void Read<T>(Span<T> values) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values);
        Take(bytes.Length).CopyTo(bytes);
    }

    private ReadOnlySpan<byte> Take(int bytes)
    {
        if (bytes > _rest.Length) throw new InvalidDataException("replay index file ends early");
        var taken = _rest[..bytes];
        _rest = _rest[bytes..];
        return taken;
    }

    /// <summary>True when every byte has been read.</summary>
    public readonly bool AtEnd => _rest.IsEmpty;
}
