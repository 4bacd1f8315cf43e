using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MoESim.Traces.Formats;

namespace MoESim.Traces.Replay;

/// <summary>
/// The per-step id checks of <see cref="RoutingStepValidator"/> (ids in range, k distinct ids per
/// token and layer) on one-byte ids straight from a chunk buffer, in one vectorised pass for
/// k = 1, 2, 4 and 8: a byte compare for the range, and each group of k bytes compared with its
/// rotations inside 16-, 32- or 64-bit lanes (32 ids per 256-bit step); other k go id by id. When a step
/// fails, the validator itself words the problem, so messages match every other reader's.
/// </summary>
internal static class ByteIdCheck
{
    /// <summary>True when every id is below <paramref name="experts"/> and no group of <paramref name="topK"/> repeats one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool IsValid(ReadOnlySpan<byte> ids, int experts, int topK)
    {
        var scalarFrom = 0;
        if (Vector256.IsHardwareAccelerated && topK is 1 or 2 or 4 or 8)
        {
            // One pass: ids above the last expert and repeats within a lane both set bytes of `bad`.
            ref var p = ref MemoryMarshal.GetReference(ids);
            var end = ids.Length - ids.Length % 32;
            var last = Vector256.Create((byte)Math.Min(255, experts - 1));
            var bad = Vector256<byte>.Zero;
            for (; scalarFrom < end; scalarFrom += 32)
            {
                var v = Vector256.LoadUnsafe(ref p, (nuint)scalarFrom);
                bad |= Vector256.GreaterThan(v, last) | topK switch
                {
                    1 => Vector256<byte>.Zero,
                    2 => Rotations16(v),
                    4 => Rotations32(v),
                    _ => Rotations64(v),
                };
            }
            if (bad != Vector256<byte>.Zero) return false;
        }
        return IsValidScalar(ids[scalarFrom..], experts, topK);
    }

    /// <summary>The validator's wording of what is wrong with a step that failed <see cref="IsValid"/>.</summary>
    public static StepProblem Describe(TraceShape shape, in ScannedStep step)
    {
        var full = new RoutingStep();
        full.Reset(step.RequestId, step.Iteration, step.FirstTokenIndex, step.Tokens, step.IsPrefill, shape.NumMoeLayers, shape.TopK, false);
        var ids = full.ExpertIds;
        for (var i = 0; i < ids.Length; i++) ids[i] = step.Ids[i];
        return new RoutingStepValidator(shape).CheckSelections(full)
            ?? throw new InvalidOperationException("the byte check and the validator disagree");
    }

    private static bool IsValidScalar(ReadOnlySpan<byte> ids, int experts, int k)
    {
        Span<byte> seen = stackalloc byte[256];
        for (var start = 0; start < ids.Length; start += k)
        {
            var group = ids.Slice(start, k);
            var ok = true;
            foreach (var id in group)
            {
                ok &= id < experts && seen[id] == 0;
                seen[id] = 1;
            }
            foreach (var b in group) seen[b] = 0;
            if (!ok) return false;
        }
        return true;
    }

    // A byte equal to its rotation by r within its k-byte lane marks a repeat; rotations by
    // 1..k/2 bytes cover every pair of positions in the lane.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Rotations16(Vector256<byte> v)
    {
        var x = v.AsUInt16();
        return Vector256.Equals(v, ((x >> 8) | (x << 8)).AsByte());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Rotations32(Vector256<byte> v)
    {
        var x = v.AsUInt32();
        return Vector256.Equals(v, ((x >> 8) | (x << 24)).AsByte()) | Vector256.Equals(v, ((x >> 16) | (x << 16)).AsByte());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> Rotations64(Vector256<byte> v)
    {
        var x = v.AsUInt64();
        return Vector256.Equals(v, ((x >> 8) | (x << 56)).AsByte()) | Vector256.Equals(v, ((x >> 16) | (x << 48)).AsByte())
               | Vector256.Equals(v, ((x >> 24) | (x << 40)).AsByte()) | Vector256.Equals(v, ((x >> 32) | (x << 32)).AsByte());
    }
}
