using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MoESim.Traces.Replay;

/// <summary>
/// Where experts first and last appear in one layer's ids of a step (one byte per id, k per
/// token, ≤ 64 experts): one vectorised pass from the front and one from the back, 32 ids per
/// step, comparing each block only with the experts still looked for and stopping once all are
/// found. With realistic routing every expert shows up within a few tokens, so a 2,000-token
/// prompt costs a handful of vector compares per layer instead of a scan.
/// </summary>
internal static class ExpertPositionScan
{
    /// <summary>
    /// For each expert in <paramref name="wanted"/> (bit e = expert e) that occurs in
    /// <paramref name="ids"/>, writes <paramref name="firstToken"/> + the token of its first
    /// occurrence to <paramref name="positions"/>[e]; returns the experts not found.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong First(ReadOnlySpan<byte> ids, int topK, ulong wanted, int firstToken, Span<int> positions)
    {
        ref var p = ref MemoryMarshal.GetReference(ids);
        var at = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; wanted != 0 && at + 32 <= ids.Length; at += 32)
            {
                var v = Vector256.LoadUnsafe(ref p, (nuint)at);
                for (var left = wanted; left != 0; left &= left - 1)
                {
                    var e = BitOperations.TrailingZeroCount(left);
                    var hits = Vector256.Equals(v, Vector256.Create((byte)e)).ExtractMostSignificantBits();
                    if (hits == 0) continue;
                    positions[e] = firstToken + (at + BitOperations.TrailingZeroCount(hits)) / topK;
                    wanted &= ~(1UL << e);
                }
            }
        for (; wanted != 0 && at < ids.Length; at++)
        {
            var e = ids[at];
            if ((wanted >> e & 1) == 0) continue;
            positions[e] = firstToken + at / topK;
            wanted &= ~(1UL << e);
        }
        return wanted;
    }

    /// <summary>
    /// For each expert in <paramref name="wanted"/> that occurs in <paramref name="ids"/>, writes
    /// <paramref name="firstToken"/> + the token of its last occurrence to <paramref name="positions"/>[e].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Last(ReadOnlySpan<byte> ids, int topK, ulong wanted, int firstToken, Span<int> positions)
    {
        ref var p = ref MemoryMarshal.GetReference(ids);
        var at = ids.Length; // ids[at..] done
        for (; wanted != 0 && at > 0 && at % 32 != 0; )
        {
            var e = ids[--at];
            if ((wanted >> e & 1) == 0) continue;
            positions[e] = firstToken + at / topK;
            wanted &= ~(1UL << e);
        }
        for (; wanted != 0 && at >= 32; at -= 32)
        {
            var v = Vector256.LoadUnsafe(ref p, (nuint)(at - 32));
            for (var left = wanted; left != 0; left &= left - 1)
            {
                var e = BitOperations.TrailingZeroCount(left);
                var hits = Vector256.Equals(v, Vector256.Create((byte)e)).ExtractMostSignificantBits();
                if (hits == 0) continue;
                positions[e] = firstToken + (at - 32 + 31 - BitOperations.LeadingZeroCount(hits)) / topK;
                wanted &= ~(1UL << e);
            }
        }
    }
}
