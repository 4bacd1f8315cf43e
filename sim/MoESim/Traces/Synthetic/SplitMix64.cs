using System.Runtime.CompilerServices;

namespace MoESim.Traces.Synthetic;

/// <summary>
/// The router's inner random stream: SplitMix64 (Steele, Lea and Flood 2014; the generator
/// that seeds <see cref="MoESim.Randomness.SeededRandom"/>), one 64-bit state word kept in a
/// register by the hot loop, seeded from a <see cref="MoESim.Randomness.SeededRandom"/> fork.
/// </summary>
/// <remarks>
/// A draw is an add and two multiply-xorshift rounds with no memory traffic, against
/// xoshiro256**'s four state words that <see cref="MoESim.Randomness.SeededRandom"/> must load
/// and store on every call (it lives on the heap). The output passes BigCrush and the period
/// is 2^64, far beyond the ~10^10 words a very large trace uses. Seeds still come only from
/// <see cref="MoESim.Randomness.SeededRandom"/>, so a run stays a function of its seed.
/// </remarks>
public static class SplitMix64
{
    /// <summary>The state increment per draw (2^64 / golden ratio, odd).</summary>
    public const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>
    /// The 64 random bits of an advanced state: hot loops write <c>Mix(state += Gamma)</c>, which
    /// keeps the state a plain local (a <c>ref</c> would pin it to memory).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong state)
    {
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Advances <paramref name="state"/> and returns the next 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Next(ref ulong state) => Mix(state += Gamma);
}
