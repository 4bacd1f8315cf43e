using System.Runtime.CompilerServices;

namespace MoESim.Randomness;

/// <summary>
/// The one source of randomness in a simulation: xoshiro256** seeded through SplitMix64, so a
/// seed gives the same stream on every machine and .NET version (System.Random's algorithm is
/// not guaranteed stable). A struct-free class with no allocation per draw.
/// </summary>
public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a stream from a 64-bit seed.</summary>
    public SeededRandom(ulong seed)
    {
        Seed = seed;
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>The seed this stream was created with (written into reports).</summary>
    public ulong Seed { get; }

    /// <summary>An independent child stream, e.g. one per MoE layer, derived deterministically.</summary>
    public SeededRandom Fork(ulong stream) => new(Seed ^ (0x9E3779B97F4A7C15UL * (stream + 1)));

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        // Through locals, not refs to the fields: the JIT cannot tell four field refs apart, and
        // once this is inlined into a caller's loop it would update the state in memory.
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        var result = Step(ref s0, ref s1, ref s2, ref s3);
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
        return result;
    }

    /// <summary>
    /// One xoshiro256** step: returns the output of state (s0..s3) and advances it. Called on
    /// locals and inlined, so the state stays in registers (the one copy of the algorithm).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Step(ref ulong s0, ref ulong s1, ref ulong s2, ref ulong s3)
    {
        var result = RotateLeft(s1 * 5, 7) * 9;
        var t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = RotateLeft(s3, 45);
        return result;
    }

    /// <summary>
    /// Fills <paramref name="destination"/> with the next values <see cref="NextUInt64"/> would
    /// return, in order (the same stream), with the state held in registers: for bulk draws.
    /// </summary>
    public void Fill(Span<ulong> destination)
    {
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        for (var i = 0; i < destination.Length; i++) destination[i] = Step(ref s0, ref s1, ref s2, ref s3);
        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="exclusiveMax"/>) (multiply-shift, negligible bias for small bounds).</summary>
    public int NextInt(int exclusiveMax) => (int)(((NextUInt64() >> 32) * (ulong)exclusiveMax) >> 32);

    /// <summary>Exponential variate with the given rate (1/s), for Poisson arrivals.</summary>
    public double NextExponential(double rate) => -Math.Log(1.0 - NextDouble()) / rate;

    /// <summary>Standard normal variate (Marsaglia polar method).</summary>
    public double NextStandardNormal()
    {
        double u, v, s;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        return u * Math.Sqrt(-2 * Math.Log(s) / s);
    }

    /// <summary>
    /// Binomial(n, p) variate. Exact for small means (Bernoulli loop or geometric waiting
    /// times, O(n·p)); for n·p·(1-p) ≥ 25 a continuity-corrected normal approximation, whose
    /// error in distribution is below 1% there — costs stay O(1) for big prefill batches.
    /// </summary>
    public int NextBinomial(int n, double p)
    {
        if (n <= 0 || p <= 0) return 0;
        if (p >= 1) return n;
        if (p > 0.5) return n - NextBinomial(n, 1 - p);
        if (n <= 16)
        {
            var c = 0;
            for (var i = 0; i < n; i++) if (NextDouble() < p) c++;
            return c;
        }
        var variance = n * p * (1 - p);
        if (variance >= 25)
        {
            var x = Math.Round(n * p + Math.Sqrt(variance) * NextStandardNormal());
            return (int)Math.Clamp(x, 0, n);
        }
        // Waiting times between successes are geometric: skip over failures directly.
        var logQ = Math.Log(1 - p);
        var count = 0;
        var position = 0.0;
        while (true)
        {
            position += Math.Floor(Math.Log(1.0 - NextDouble()) / logQ) + 1;
            if (position > n) return count;
            count++;
        }
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle(Span<int> values)
    {
        for (var i = values.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
