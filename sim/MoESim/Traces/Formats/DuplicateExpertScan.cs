using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MoESim.Traces.Formats;

/// <summary>
/// Finds the first token whose top-k repeats an expert. For k = 2, 4 and 8 (Mixtral, the
/// common top-8 models) it checks 32 packed byte ids, or 8 int ids, per vector step whatever
/// the expert count; other k and uint16 ids fall back to a scalar stamp scan.
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
                var found = k == 8 ? ScanBytes8(bytes, ref vectorEnd) : k == 4 ? ScanBytes4(bytes, ref vectorEnd) : ScanBytes2(bytes, ref vectorEnd);
                if (found) return vectorEnd + FindInBlock(ids.Slice(vectorEnd, 32), k);
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

    // Each scan leaves `at` on the 32-byte block holding a repeat (true) or where vectors end (false).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool ScanBytes8(ReadOnlySpan<byte> ids, ref int at)
    {
        ref var p = ref MemoryMarshal.GetReference(ids);
        if (Vector512.IsHardwareAccelerated)
        {
            // 64 ids per step; on a hit, `at` stops on the 64-byte block and the 256-bit loop below finds its half.
            var ones512 = Vector512.Create(0x0101010101010101UL);
            var highs512 = Vector512.Create(0x8080808080808080UL);
            for (; at + 64 <= ids.Length; at += 64)
            {
                var x = Vector512.LoadUnsafe(ref p, (nuint)at).AsUInt64();
                var d1 = x ^ (Vector512.ShiftLeft(x, 8) | Vector512.ShiftRightLogical(x, 56));
                var d2 = x ^ (Vector512.ShiftLeft(x, 16) | Vector512.ShiftRightLogical(x, 48));
                var d3 = x ^ (Vector512.ShiftLeft(x, 24) | Vector512.ShiftRightLogical(x, 40));
                var d4 = x ^ (Vector512.ShiftLeft(x, 32) | Vector512.ShiftRightLogical(x, 32));
                var zero = ((d1 - ones512) & ~d1) | ((d2 - ones512) & ~d2) | ((d3 - ones512) & ~d3) | ((d4 - ones512) & ~d4);
                if ((zero & highs512) != Vector512<ulong>.Zero) break;
            }
        }
        var ones = Vector256.Create(0x0101010101010101UL);
        var highs = Vector256.Create(0x8080808080808080UL);
        for (; at + 32 <= ids.Length; at += 32)
        {
            var x = Vector256.LoadUnsafe(ref p, (nuint)at).AsUInt64();
            var d1 = x ^ (Vector256.ShiftLeft(x, 8) | Vector256.ShiftRightLogical(x, 56));
            var d2 = x ^ (Vector256.ShiftLeft(x, 16) | Vector256.ShiftRightLogical(x, 48));
            var d3 = x ^ (Vector256.ShiftLeft(x, 24) | Vector256.ShiftRightLogical(x, 40));
            var d4 = x ^ (Vector256.ShiftLeft(x, 32) | Vector256.ShiftRightLogical(x, 32));
            var zero = ((d1 - ones) & ~d1) | ((d2 - ones) & ~d2) | ((d3 - ones) & ~d3) | ((d4 - ones) & ~d4);
            if ((zero & highs) != Vector256<ulong>.Zero) return true;
        }
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool ScanBytes4(ReadOnlySpan<byte> ids, ref int at)
    {
        ref var p = ref MemoryMarshal.GetReference(ids);
        var ones = Vector256.Create(0x01010101U);
        var highs = Vector256.Create(0x80808080U);
        for (; at + 32 <= ids.Length; at += 32)
        {
            var x = Vector256.LoadUnsafe(ref p, (nuint)at).AsUInt32();
            var d1 = x ^ (Vector256.ShiftLeft(x, 8) | Vector256.ShiftRightLogical(x, 24));
            var d2 = x ^ (Vector256.ShiftLeft(x, 16) | Vector256.ShiftRightLogical(x, 16));
            var zero = ((d1 - ones) & ~d1) | ((d2 - ones) & ~d2);
            if ((zero & highs) != Vector256<uint>.Zero) return true;
        }
        return false;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool ScanBytes2(ReadOnlySpan<byte> ids, ref int at)
    {
        ref var p = ref MemoryMarshal.GetReference(ids);
        var low = Vector256.Create((ushort)0xFF);
        for (; at + 32 <= ids.Length; at += 32)
        {
            var x = Vector256.LoadUnsafe(ref p, (nuint)at).AsUInt16();
            if (Vector256.EqualsAny(x & low, Vector256.ShiftRightLogical(x, 8))) return true;
        }
        return false;
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
