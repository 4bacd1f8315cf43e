using System.Runtime.CompilerServices;

namespace MoESim.Traces.Synthetic;

/// <summary>
/// Draws <c>width</c> independent Bernoulli(p) flags as a bit mask (bit j set with probability
/// p), eight flags per random word: an alias table over the 256 patterns of eight flags, each of
/// probability p^set · (1 − p)^clear, replaces eight separate draws.
/// </summary>
public sealed class BernoulliMask
{
    private const int ChunkBits = 8;
    private readonly int _width;
    private readonly AliasTable _chunk;  // patterns of 8 flags
    private readonly AliasTable? _tail;  // patterns of width mod 8 flags

    /// <summary>Flags of probability <paramref name="probability"/> in [0, 1], <paramref name="width"/> ≥ 1 of them.</summary>
    public BernoulliMask(double probability, int width)
    {
        if (!(probability is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(probability), "must be in [0, 1]");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), "must be at least 1");
        _width = width;
        _chunk = Patterns(probability, Math.Min(width, ChunkBits));
        if (width > ChunkBits && width % ChunkBits != 0) _tail = Patterns(probability, width % ChunkBits);
    }

    private static AliasTable Patterns(double p, int bits)
    {
        var weights = new double[1 << bits];
        for (var pattern = 0; pattern < weights.Length; pattern++)
        {
            var set = System.Numerics.BitOperations.PopCount((uint)pattern);
            weights[pattern] = Math.Pow(p, set) * Math.Pow(1 - p, bits - set);
        }
        return new AliasTable(weights);
    }

    /// <summary>Words a mask of this width needs (64 flags per word).</summary>
    public int Words => (_width + 63) >> 6;

    /// <summary>
    /// Overwrites <paramref name="mask"/> (<see cref="Words"/> words) with fresh flags drawn from
    /// the <see cref="SplitMix64"/> state <paramref name="stream"/>; returns the advanced state.
    /// Bits at or past the width stay clear.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Draw(ulong stream, Span<ulong> mask)
    {
        if (_width <= ChunkBits)
        {
            mask[0] = (ulong)_chunk.Draw(SplitMix64.Mix(stream += SplitMix64.Gamma));
            return stream;
        }
        return DrawWide(stream, mask);
    }

    private ulong DrawWide(ulong stream, Span<ulong> mask)
    {
        mask[..Words].Clear();
        var bit = 0;
        for (; bit + ChunkBits <= _width; bit += ChunkBits)
            mask[bit >> 6] |= (ulong)_chunk.Draw(SplitMix64.Next(ref stream)) << (bit & 63);
        if (_tail is not null) mask[bit >> 6] |= (ulong)_tail.Draw(SplitMix64.Next(ref stream)) << (bit & 63);
        return stream;
    }
}
