using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MoESim.Traces.Formats;

/// <summary>Widens packed uint8 / uint16 expert ids to ints with SIMD where available.</summary>
internal static class ExpertIdDecoder
{
    public static void WidenBytes(ReadOnlySpan<byte> source, Span<int> destination)
    {
        if (destination.Length < source.Length) throw new ArgumentException("destination too short", nameof(destination));
        var i = 0;
        ref var src = ref MemoryMarshal.GetReference(source);
        ref var dst = ref MemoryMarshal.GetReference(destination);
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 32 <= source.Length; i += 32)
            {
                var v = Vector256.LoadUnsafe(ref src, (nuint)i);
                var (lo, hi) = Vector256.Widen(v);
                var (a, b) = Vector256.Widen(lo);
                var (c, d) = Vector256.Widen(hi);
                a.AsInt32().StoreUnsafe(ref dst, (nuint)i);
                b.AsInt32().StoreUnsafe(ref dst, (nuint)(i + 8));
                c.AsInt32().StoreUnsafe(ref dst, (nuint)(i + 16));
                d.AsInt32().StoreUnsafe(ref dst, (nuint)(i + 24));
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (; i + 16 <= source.Length; i += 16)
            {
                var v = Vector128.LoadUnsafe(ref src, (nuint)i);
                var (lo, hi) = Vector128.Widen(v);
                var (a, b) = Vector128.Widen(lo);
                var (c, d) = Vector128.Widen(hi);
                a.AsInt32().StoreUnsafe(ref dst, (nuint)i);
                b.AsInt32().StoreUnsafe(ref dst, (nuint)(i + 4));
                c.AsInt32().StoreUnsafe(ref dst, (nuint)(i + 8));
                d.AsInt32().StoreUnsafe(ref dst, (nuint)(i + 12));
            }
        }
        for (; i < source.Length; i++) Unsafe.Add(ref dst, i) = Unsafe.Add(ref src, i);
    }

    /// <summary>Little-endian uint16 ids (<paramref name="source"/> holds 2 bytes per id).</summary>
    public static void WidenUInt16(ReadOnlySpan<byte> source, Span<int> destination)
    {
        var count = source.Length / 2;
        if (!BitConverter.IsLittleEndian)
        {
            for (var j = 0; j < count; j++) destination[j] = BinaryPrimitives.ReadUInt16LittleEndian(source[(2 * j)..]);
            return;
        }
        var ids = MemoryMarshal.Cast<byte, ushort>(source);
        var i = 0;
        ref var src = ref MemoryMarshal.GetReference(ids);
        ref var dst = ref MemoryMarshal.GetReference(destination);
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 16 <= count; i += 16)
            {
                var (a, b) = Vector256.Widen(Vector256.LoadUnsafe(ref src, (nuint)i));
                a.AsInt32().StoreUnsafe(ref dst, (nuint)i);
                b.AsInt32().StoreUnsafe(ref dst, (nuint)(i + 8));
            }
        }
        for (; i < count; i++) Unsafe.Add(ref dst, i) = Unsafe.Add(ref src, i);
    }
}
