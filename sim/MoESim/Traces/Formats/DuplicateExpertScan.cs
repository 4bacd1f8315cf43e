using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MoESim.Traces.Formats;

/// <summary>
/// Finds the first token whose top-k repeats an expert. For k = 2, 4 and 8 (Mixtral, the
/// common top-8 models) it checks 32 packed byte ids, 16 uint16 ids or 8 int ids per vector
/// step whatever the expert count; other k fall back to a scalar stamp scan.
/// </summary>
/// <remarks>
/// Byte ids: a token's k bytes form one 16/32/64-bit lane; XOR with the lane rotated by 8·d bits
/// has a zero byte exactly when some pair of ids d apart (cyclically) is equal, and rotations
/// d = 1 .. k/2 cover every pair. The zero-byte test (v − 0x01…) &amp; ~v &amp; 0x80… is exact
/// for "has a zero byte".
/// </remarks>
internal static class DuplicateExpertScan
{
    /// <summary>Index of the first id of the first group of <paramref name="k"/> with a repeat, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int FindFirst<T>(ReadOnlySpan<T> ids, int k, Span<int> stamp, ref int serial) where T : unmanaged, IBinaryInteger<T>
    {
        var vectorEnd = 0;
        if (Vector256.IsHardwareAccelerated && k is 2 or 4 or 8)
        {
            if (typeof(T) == typeof(byte))
            {
                var bytes = MemoryMarshal.Cast<T, byte>(ids);
                var found = k == 8 ? ScanBytes<ulong>(bytes, ref vectorEnd) : k == 4 ? ScanBytes<uint>(bytes, ref vectorEnd) : ScanBytes<ushort>(bytes, ref vectorEnd);
                if (found) return vectorEnd + FindInBlock(ids.Slice(vectorEnd, 32), k);
            }
            else if (typeof(T) == typeof(ushort))
            {
                // 16 ids per step, widened to two int vectors (groups of 2, 4, 8 never straddle them).
                ref var p = ref MemoryMarshal.GetReference(MemoryMarshal.Cast<T, ushort>(ids));
                for (; vectorEnd + 16 <= ids.Length; vectorEnd += 16)
                {
                    var v = Vector256.LoadUnsafe(ref p, (nuint)vectorEnd);
                    if (HasRepeat(Vector256.WidenLower(v).AsInt32(), k) || HasRepeat(Vector256.WidenUpper(v).AsInt32(), k))
                        return vectorEnd + FindInBlock(ids.Slice(vectorEnd, 16), k);
                }
            }
            else if (typeof(T) == typeof(int))
            {
                var ints = MemoryMarshal.Cast<T, int>(ids);
                ref var p = ref MemoryMarshal.GetReference(ints);
                var length = ints.Length - ints.Length % 8;
                for (; vectorEnd < length; vectorEnd += 8)
                {
                    var v = Vector256.LoadUnsafe(ref p, (nuint)vectorEnd);
                    if (HasRepeat(v, k)) return vectorEnd + FindInBlock(ids.Slice(vectorEnd, 8), k);
                }
            }
        }
        return ScalarFrom(ids, vectorEnd, k, stamp, ref serial);
    }

    // Scans byte ids k per lane (T = ushort, uint, ulong for k = 2, 4, 8); leaves `at` on the
    // 32-byte block holding a repeat (true) or where whole vectors end (false).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool ScanBytes<T>(ReadOnlySpan<byte> ids, ref int at) where T : unmanaged, IBinaryInteger<T>
    {
        ref var p = ref MemoryMarshal.GetReference(ids);
        var k = Unsafe.SizeOf<T>();
        var ones = T.AllBitsSet / T.CreateTruncating(0xFF); // 0x0101…
        for (; at + 32 <= ids.Length; at += 32)
            if (HasZeroByte(Vector256.LoadUnsafe(ref p, (nuint)at).As<byte, T>(), k, Vector256.Create(ones))) return true;
        return false;
    }

    // True when some lane's x XOR (x rotated by 8·d bits), d = 1 .. k/2, has a zero byte.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool HasZeroByte<T>(Vector256<T> x, int k, Vector256<T> ones) where T : unmanaged, IBinaryInteger<T>
    {
        var zero = Vector256<T>.Zero;
        for (var d = 1; d <= k / 2; d++)
        {
            var y = x ^ ((x << (8 * d)) | (x >>> (8 * (k - d))));
            zero |= (y - ones) & ~y;
        }
        return (zero & (ones << 7)) != Vector256<T>.Zero;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool HasRepeat(Vector256<int> v, int k)
    {
        Vector256<int> eq;
        if (k == 2)
            eq = Vector256.Equals(v, Vector256.Shuffle(v, Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6)));
        else if (k == 4)
            eq = Vector256.Equals(v, Vector256.Shuffle(v, Vector256.Create(1, 2, 3, 0, 5, 6, 7, 4)))
                 | Vector256.Equals(v, Vector256.Shuffle(v, Vector256.Create(2, 3, 0, 1, 6, 7, 4, 5)));
        else
            eq = Vector256.Equals(v, Vector256.Shuffle(v, Vector256.Create(1, 2, 3, 4, 5, 6, 7, 0)))
                 | Vector256.Equals(v, Vector256.Shuffle(v, Vector256.Create(2, 3, 4, 5, 6, 7, 0, 1)))
                 | Vector256.Equals(v, Vector256.Shuffle(v, Vector256.Create(3, 4, 5, 6, 7, 0, 1, 2)))
                 | Vector256.Equals(v, Vector256.Shuffle(v, Vector256.Create(4, 5, 6, 7, 0, 1, 2, 3)));
        return eq != Vector256<int>.Zero;
    }

    private static int FindInBlock<T>(ReadOnlySpan<T> block, int k) where T : unmanaged, IBinaryInteger<T>
    {
        for (var start = 0; start < block.Length; start += k)
            if (GroupRepeats(block.Slice(start, k))) return start;
        return 0;
    }

    private static bool GroupRepeats<T>(ReadOnlySpan<T> group) where T : unmanaged, IBinaryInteger<T>
    {
        for (var a = 0; a < group.Length; a++)
            for (var b = a + 1; b < group.Length; b++)
                if (group[a] == group[b]) return true;
        return false;
    }

    /// <summary>
    /// Stamp scan from <paramref name="from"/>: stamp[e] == serial marks e as seen in the current
    /// group (O(1) per id for any k); stamp must hold every expert id.
    /// </summary>
    private static int ScalarFrom<T>(ReadOnlySpan<T> ids, int from, int k, Span<int> stamp, ref int serial) where T : unmanaged, IBinaryInteger<T>
    {
        for (var start = from; start < ids.Length; start += k)
        {
            if (++serial == int.MaxValue)
            {
                stamp.Clear();
                serial = 1;
            }
            for (var j = 0; j < k; j++)
            {
                ref var s = ref stamp[int.CreateTruncating(ids[start + j])];
                if (s == serial) return start;
                s = serial;
            }
        }
        return -1;
    }
}
