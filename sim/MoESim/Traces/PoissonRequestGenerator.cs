using MoESim.Randomness;

namespace MoESim.Traces;

/// <summary>
/// Synthetic requests with Poisson arrivals. Prompt and output lengths are either fixed or drawn
/// uniformly from [min, max]; all draws come from the given seeded stream.
/// </summary>
public static class PoissonRequestGenerator
{
    /// <summary>
    /// Generates <paramref name="count"/> requests at <paramref name="ratePerSecond"/> requests/s.
    /// Lengths are uniform in [min, max] tokens (equal bounds give fixed lengths). Throws
    /// <see cref="Units.SimTimeLimitException"/> when an arrival passes <see cref="Units.SimTime.MaxSeconds"/>.
    /// </summary>
    public static IReadOnlyList<Request> Generate(int count, double ratePerSecond, int promptMin, int promptMax,
        int outputMin, int outputMax, SeededRandom random)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), count, "need at least one request");
        if (!(ratePerSecond > 0)) throw new ArgumentOutOfRangeException(nameof(ratePerSecond), ratePerSecond, "rate must be > 0 requests/s");
        if (promptMin < 1 || promptMax < promptMin) throw new ArgumentOutOfRangeException(nameof(promptMin), "need 1 <= prompt min <= max");
        if (outputMin < 1 || outputMax < outputMin) throw new ArgumentOutOfRangeException(nameof(outputMin), "need 1 <= output min <= max");
        var result = new Request[count];
        var t = 0.0;
        for (var i = 0; i < count; i++)
        {
            if (i > 0) t += random.NextExponential(ratePerSecond);
            // Callers check the expected span up front; a random tail past the clock's range stops here.
            if (t >= Units.SimTime.MaxSeconds) throw new Units.SimTimeLimitException(t);
            var prompt = promptMin + random.NextInt(promptMax - promptMin + 1);
            var output = outputMin + random.NextInt(outputMax - outputMin + 1);
            result[i] = new Request(i, t, prompt, output);
        }
        return result;
    }
}
