using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MoESim.Traces.Replay;

/// <summary>
/// Bit-mask arithmetic behind replay's distinct-expert counts (≤ 256 experts): a token's experts
/// at one layer as a mask of <c>maskBytes</c> little-endian bytes (bit e of byte e / 8 set when
/// the token chose expert e), a batch's experts as the OR of its tokens' masks, and the distinct
/// count as the mask's population count. Up to 64 experts a mask is one word of 1, 2, 4 or 8
/// bytes; above, whole 64-bit words (16, 24 or 32 bytes).
/// </summary>
internal static class ExpertMaskKernels
{
    /// <summary>Most experts a mask holds (ids are one byte in the chunk buffer).</summary>
    public const int MaxExperts = 256;

    /// <summary>
    /// Bytes per layer mask for <paramref name="experts"/> (1..256): the smallest of 1, 2, 4, 8
    /// that holds them, or above 64 experts the 64-bit words that do.
    /// </summary>
    public static int MaskBytes(int experts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(experts, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(experts, MaxExperts);
        return experts <= 8 ? 1 : experts <= 16 ? 2 : experts <= 32 ? 4 : 8 * ((experts + 63) >> 6);
    }

    /// <summary>
    /// Checks a step's ids (<see cref="ByteIdCheck"/>) and writes every token's masks:
    /// <paramref name="ids"/> in the step layout (<c>(layer × tokens + token) × k + choice</c>),
    /// <paramref name="masks"/> token-major (<c>(token × layers + layer) × maskBytes</c>).
    /// False (masks unspecified) when an id is out of range or repeated within a token.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryTokenMasks(ReadOnlySpan<byte> ids, int experts, int layers, int tokens, int topK, int maskBytes, Span<byte> masks)
    {
        if (tokens == 1 && maskBytes == 1 && topK == 2 && layers % 32 == 0 && Avx2.IsSupported)
            return TryPairsToByteMasks(ids, experts, masks[..layers]);
        if (!ByteIdCheck.IsValid(ids, experts, topK)) return false;
        if (maskBytes > sizeof(ulong))
        {
            // Wide masks: set bits byte by byte.
            masks[..(tokens * layers * maskBytes)].Clear();
            for (var t = 0; t < tokens; t++)
                for (var layer = 0; layer < layers; layer++)
                {
                    var mask = masks.Slice((t * layers + layer) * maskBytes, maskBytes);
                    foreach (var id in ids.Slice((layer * tokens + t) * topK, topK)) Set(mask, id);
                }
            return true;
        }
        for (var t = 0; t < tokens; t++)
            for (var layer = 0; layer < layers; layer++)
            {
                var group = ids.Slice((layer * tokens + t) * topK, topK);
                ulong mask = 0;
                foreach (var id in group) mask |= 1UL << id;
                Write(masks.Slice((t * layers + layer) * maskBytes, maskBytes), mask);
            }
        return true;
    }

    /// <summary>
    /// The one-token, top-2, ≤ 8-expert case (Mixtral decode steps) of <see cref="TryTokenMasks"/>,
    /// checks included: 64 ids at a time go through a table shuffle (id → 1 &lt;&lt; id); an id
    /// must not exceed the last expert, and within each 16-bit lane the pair's bits must be
    /// disjoint (distinct ids); the pairs' ORs narrowed to bytes are the 32 layers' masks.
    /// </summary>
    private static bool TryPairsToByteMasks(ReadOnlySpan<byte> ids, int experts, Span<byte> masks)
    {
        var table = BitTable(experts);
        var last = Vector256.Create((byte)(experts - 1));
        var low = Vector256.Create((ushort)0xFF);
        ref var source = ref MemoryMarshal.GetReference(ids);
        ref var target = ref MemoryMarshal.GetReference(masks);
        var bad = Vector256<byte>.Zero;
        for (var layer = 0; layer < masks.Length; layer += 32)
        {
            var x = Vector256.LoadUnsafe(ref source, (nuint)(2 * layer));
            var y = Vector256.LoadUnsafe(ref source, (nuint)(2 * layer + 32));
            // vpshufb looks up the low 4 bits only: the range check must come from the ids.
            var a = Avx2.Shuffle(table, x).AsUInt16();
            var b = Avx2.Shuffle(table, y).AsUInt16();
            var (aLow, aHigh, bLow, bHigh) = (a & low, a >> 8, b & low, b >> 8);
            bad |= Vector256.GreaterThan(x, last) | Vector256.GreaterThan(y, last)
                   | (aLow & aHigh).AsByte() | (bLow & bHigh).AsByte();
            Vector256.Narrow(aLow | aHigh, bLow | bHigh).StoreUnsafe(ref target, (nuint)layer);
        }
        return bad == Vector256<byte>.Zero;
    }

    /// <summary>Shuffle table id → 1 &lt;&lt; id for ids below <paramref name="experts"/> (≤ 8), 0 above.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> BitTable(int experts)
    {
        // Bytes 0..7 (and 16..23) hold 1, 2, 4, ..., 128; keep the first `experts` of them.
        var bits = 0x8040201008040201UL & (experts >= 8 ? ulong.MaxValue : (1UL << (8 * experts)) - 1);
        return Vector256.Create(bits, 0UL, bits, 0UL).AsByte();
    }

    /// <summary>ORs <paramref name="source"/> into <paramref name="target"/> (same length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void OrInto(Span<byte> target, ReadOnlySpan<byte> source)
    {
        ref var t = ref MemoryMarshal.GetReference(target);
        ref var s = ref MemoryMarshal.GetReference(source);
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + 32 <= source.Length; i += 32)
                (Vector256.LoadUnsafe(ref t, (nuint)i) | Vector256.LoadUnsafe(ref s, (nuint)i)).StoreUnsafe(ref t, (nuint)i);
        for (; i < source.Length; i++) Unsafe.Add(ref t, i) |= Unsafe.Add(ref s, i);
    }

    /// <summary>
    /// Sets, in each layer's mask of <paramref name="target"/>, the experts whose position in
    /// <paramref name="positions"/> (layers × experts, layer-major) lies in [<paramref name="from"/>, <paramref name="to"/>).
    /// </summary>
    public static void OrPositionsInRange(ReadOnlySpan<int> positions, int layers, int experts, int maskBytes, int from, int to, Span<byte> target)
    {
        var lo = Vector256.Create(from);
        var hi = Vector256.Create(to);
        for (var layer = 0; layer < layers; layer++)
        {
            var row = positions.Slice(layer * experts, experts);
            var mask = target.Slice(layer * maskBytes, maskBytes);
            var e = 0;
            if (Vector256.IsHardwareAccelerated)
                for (; e + 8 <= experts; e += 8)
                {
                    var p = Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(row), (nuint)e);
                    mask[e >> 3] |= (byte)(Vector256.GreaterThanOrEqual(p, lo) & Vector256.LessThan(p, hi)).ExtractMostSignificantBits();
                }
            for (; e < experts; e++)
                if (row[e] >= from && row[e] < to) mask[e >> 3] |= (byte)(1 << (e & 7));
        }
    }

    /// <summary>Writes each layer's population count: distinct experts.</summary>
    public static void PopCounts(ReadOnlySpan<byte> masks, int maskBytes, Span<int> distinct)
    {
        if (maskBytes <= sizeof(ulong))
        {
            for (var layer = 0; layer < distinct.Length; layer++) distinct[layer] = BitOperations.PopCount(Read(masks.Slice(layer * maskBytes, maskBytes)));
            return;
        }
        for (var layer = 0; layer < distinct.Length; layer++)
        {
            var count = 0;
            foreach (var word in MemoryMarshal.Cast<byte, ulong>(masks.Slice(layer * maskBytes, maskBytes))) count += BitOperations.PopCount(word);
            distinct[layer] = count;
        }
    }

    /// <summary>Sets bit <paramref name="expert"/> of a layer's mask.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Set(Span<byte> mask, int expert) => mask[expert >> 3] |= (byte)(1 << (expert & 7));

    private static ulong Read(ReadOnlySpan<byte> mask) => mask.Length switch
    {
        1 => mask[0],
        2 => BinaryPrimitives.ReadUInt16LittleEndian(mask),
        4 => BinaryPrimitives.ReadUInt32LittleEndian(mask),
        _ => BinaryPrimitives.ReadUInt64LittleEndian(mask),
    };

    private static void Write(Span<byte> mask, ulong value)
    {
        switch (mask.Length)
        {
            case 1: mask[0] = (byte)value; break;
            case 2: BinaryPrimitives.WriteUInt16LittleEndian(mask, (ushort)value); break;
            case 4: BinaryPrimitives.WriteUInt32LittleEndian(mask, (uint)value); break;
            default: BinaryPrimitives.WriteUInt64LittleEndian(mask, value); break;
        }
    }
}
