using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MoESim.Traces.Formats;

/// <summary>
/// Finds the first token whose top-k repeats an expert. For k = 2, 4 and 8 (Mixtral, the
/// common top-8 models) it compares each group of k ids with its rotations in one 256-bit
/// vector, 8 selections per step, whatever the expert count; other k fall back to a scalar scan.
/// </summary>
internal static class DuplicateExpertScan
{
    /// <summary>Index of the first id of the first group of <paramref name="k"/> with a repeat, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int FindFirst(ReadOnlySpan<int> ids, int k, Span<int> stamp, ref int serial)
    {
        var vectorEnd = 0;
        if (Vector256.IsHardwareAccelerated && k is 2 or 4 or 8)
        {
            ref var p = ref MemoryMarshal.GetReference(ids);
            var length = ids.Length - ids.Length % 8;
            for (; vectorEnd < length; vectorEnd += 8)
            {
                var v = Vector256.LoadUnsafe(ref p, (nuint)vectorEnd);
                if (HasRepeat(v, k)) return vectorEnd + FindInBlock(ids.Slice(vectorEnd, 8), k);
            }
        }
        return ScalarFrom(ids, vectorEnd, k, stamp, ref serial);
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

    private static int FindInBlock(ReadOnlySpan<int> block, int k)
    {
        for (var start = 0; start < block.Length; start += k)
            if (GroupRepeats(block.Slice(start, k))) return start;
        return 0;
    }

    private static bool GroupRepeats(ReadOnlySpan<int> group)
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
    private static int ScalarFrom(ReadOnlySpan<int> ids, int from, int k, Span<int> stamp, ref int serial)
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
                ref var s = ref stamp[ids[start + j]];
                if (s == serial) return start;
                s = serial;
            }
        }
        return -1;
    }
}
