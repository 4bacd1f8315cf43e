using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MoESim.Traces.Replay;

/// <summary>
/// Where experts first and last appear in one layer's ids of a step (one byte per id, k per
/// token, ≤ 256 experts): one vectorised pass from the front and one from the back, 32 ids per
/// step, comparing each block only with the experts still looked for and stopping once all are
/// found. With realistic routing every expert shows up within a few tokens, so a 2,000-token
/// prompt costs a handful of vector compares per layer instead of a scan. The experts looked
/// for are a bit set of 64-bit words (bit e of word e / 64 = expert e), updated in place.
/// </summary>
internal static class ExpertPositionScan
{
    /// <summary>Words of a bit set over <paramref name="experts"/> experts (1..256).</summary>
    public static int Words(int experts) => (experts + 63) >> 6;

    /// <summary>
    /// For each expert in <paramref name="wanted"/> that occurs in <paramref name="ids"/>, writes
    /// <paramref name="firstToken"/> + the token of its first occurrence to
    /// <paramref name="positions"/>[e] and clears its bit: what is left are the experts not found.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void First(ReadOnlySpan<byte> ids, int topK, Span<ulong> wanted, int firstToken, Span<int> positions)
    {
        var left = Count(wanted);
        ref var p = ref MemoryMarshal.GetReference(ids);
        var at = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; left != 0 && at + 32 <= ids.Length; at += 32)
            {
                var v = Vector256.LoadUnsafe(ref p, (nuint)at);
                for (var w = 0; w < wanted.Length; w++)
                    for (var bits = wanted[w]; bits != 0; bits &= bits - 1)
                    {
                        var e = (w << 6) + BitOperations.TrailingZeroCount(bits);
                        var hits = Vector256.Equals(v, Vector256.Create((byte)e)).ExtractMostSignificantBits();
                        if (hits == 0) continue;
                        positions[e] = firstToken + (at + BitOperations.TrailingZeroCount(hits)) / topK;
                        wanted[w] &= ~(1UL << e);
                        left--;
                    }
            }
        for (; left != 0 && at < ids.Length; at++)
            if (TryTake(wanted, ids[at]))
            {
                positions[ids[at]] = firstToken + at / topK;
                left--;
            }
    }

    /// <summary>
    /// For each expert in <paramref name="wanted"/> that occurs in <paramref name="ids"/>, writes
    /// <paramref name="firstToken"/> + the token of its last occurrence to
    /// <paramref name="positions"/>[e] and clears its bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Last(ReadOnlySpan<byte> ids, int topK, Span<ulong> wanted, int firstToken, Span<int> positions)
    {
        var left = Count(wanted);
        ref var p = ref MemoryMarshal.GetReference(ids);
        var at = ids.Length; // ids[at..] done
        for (; left != 0 && at > 0 && at % 32 != 0; )
            if (TryTake(wanted, ids[--at]))
            {
                positions[ids[at]] = firstToken + at / topK;
                left--;
            }
        for (; left != 0 && at >= 32; at -= 32)
        {
            var v = Vector256.LoadUnsafe(ref p, (nuint)(at - 32));
            for (var w = 0; w < wanted.Length; w++)
                for (var bits = wanted[w]; bits != 0; bits &= bits - 1)
                {
                    var e = (w << 6) + BitOperations.TrailingZeroCount(bits);
                    var hits = Vector256.Equals(v, Vector256.Create((byte)e)).ExtractMostSignificantBits();
                    if (hits == 0) continue;
                    positions[e] = firstToken + (at - 32 + 31 - BitOperations.LeadingZeroCount(hits)) / topK;
                    wanted[w] &= ~(1UL << e);
                    left--;
                }
        }
    }

    /// <summary>Clears expert <paramref name="e"/>'s bit; true if it was set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryTake(Span<ulong> wanted, int e)
    {
        ref var word = ref wanted[e >> 6];
        var bit = 1UL << e; // the shift count is taken mod 64
        if ((word & bit) == 0) return false;
        word &= ~bit;
        return true;
    }

    private static int Count(ReadOnlySpan<ulong> words)
    {
        var n = 0;
        foreach (var w in words) n += BitOperations.PopCount(w);
        return n;
    }
}
