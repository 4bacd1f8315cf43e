using System.Runtime.CompilerServices;
namespace MoESim.Traces.Formats;

/// <summary>Unsigned LEB128 varints (7 bits per byte, low first) for the binary trace's step fields.</summary>
internal static class Varint
{
    /// <summary>Most bytes a 32-bit value takes.</summary>
    public const int MaxBytes = 5;

    /// <summary>Writes <paramref name="value"/> at <paramref name="destination"/>; returns bytes written.</summary>
    public static int Write(Span<byte> destination, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }

    /// <summary>
    /// Reads a varint at <paramref name="position"/> and advances it; false when the bytes run
    /// out or the value does not fit in 31 bits (corrupt data).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryRead(ReadOnlySpan<byte> source, ref int position, out int value)
    {
        uint result = 0;
        for (var shift = 0; shift < 35; shift += 7)
        {
            if (position >= source.Length) break;
            uint b = source[position++];
            result |= (b & 0x7F) << shift;
            if (b < 0x80)
            {
                value = (int)result;
                return result <= int.MaxValue && (shift < 28 || b < 0x10);
            }
        }
        value = 0;
        return false;
    }
}
