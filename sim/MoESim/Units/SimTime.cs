namespace MoESim.Units;

/// <summary>
/// Simulated time as a whole number of picoseconds. Integer time keeps runs bit-for-bit
/// deterministic; durations computed in double seconds are rounded once, when scheduled.
/// Resolution 1 ps; range 0 to <see cref="MaxSeconds"/> (2^63 − 1 ps, about 106.75 days). An
/// instant or sum past the range throws <see cref="SimTimeLimitException"/>, never wraps.
/// </summary>
public readonly record struct SimTime(long Picoseconds) : IComparable<SimTime>
{
    /// <summary>Picoseconds in one second.</summary>
    public const long PicosecondsPerSecond = 1_000_000_000_000L;

    public static readonly SimTime Zero = new(0);
    public static readonly SimTime MaxValue = new(long.MaxValue);

    /// <summary>The latest simulated instant, in seconds: 2^63 − 1 ps ≈ 9.22e6 s ≈ 106.75 days.</summary>
    public const double MaxSeconds = long.MaxValue / (double)PicosecondsPerSecond;

    /// <summary>How the limit reads in messages: "9,223,372 s (106.7 days; time counts whole picoseconds in 64 bits)".</summary>
    public static string LimitText => $"{Math.Floor(MaxSeconds):N0} s ({MaxSeconds / 86_400:F1} days; simulated time counts whole picoseconds in 64 bits)";

    /// <summary>Rounds a duration or instant in seconds to the nearest picosecond.</summary>
    public static SimTime FromSeconds(double seconds)
    {
        if (double.IsNaN(seconds) || seconds < 0)
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "time must be a number >= 0");
        // Compared as a product so rounding cannot reach 2^63 and overflow the cast.
        if (seconds * PicosecondsPerSecond >= long.MaxValue)
            throw new SimTimeLimitException(seconds);
        return new SimTime((long)Math.Round(seconds * PicosecondsPerSecond, MidpointRounding.AwayFromZero));
    }

    /// <summary>This time in seconds.</summary>
    public double Seconds => Picoseconds / (double)PicosecondsPerSecond;

    /// <summary>This time in microseconds (Chrome trace-event unit).</summary>
    public double Microseconds => Picoseconds / 1e6;

    public int CompareTo(SimTime other) => Picoseconds.CompareTo(other.Picoseconds);

    /// <summary>Sums two picosecond counts; throws <see cref="SimTimeLimitException"/> instead of wrapping past the range.</summary>
    public static long AddPicoseconds(long a, long b)
    {
        var sum = unchecked(a + b);
        // Overflow when both operands share a sign that the sum lacks.
        if (((a ^ sum) & (b ^ sum)) < 0)
            throw new SimTimeLimitException((a / (double)PicosecondsPerSecond) + (b / (double)PicosecondsPerSecond));
        return sum;
    }

    public static SimTime operator +(SimTime a, SimTime b) => new(AddPicoseconds(a.Picoseconds, b.Picoseconds));
    public static SimTime operator -(SimTime a, SimTime b) => new(a.Picoseconds - b.Picoseconds);
    public static bool operator <(SimTime a, SimTime b) => a.Picoseconds < b.Picoseconds;
    public static bool operator >(SimTime a, SimTime b) => a.Picoseconds > b.Picoseconds;
    public static bool operator <=(SimTime a, SimTime b) => a.Picoseconds <= b.Picoseconds;
    public static bool operator >=(SimTime a, SimTime b) => a.Picoseconds >= b.Picoseconds;
    public static SimTime Max(SimTime a, SimTime b) => a.Picoseconds >= b.Picoseconds ? a : b;
    public static SimTime Min(SimTime a, SimTime b) => a.Picoseconds <= b.Picoseconds ? a : b;

    public override string ToString() => $"{Seconds:G6} s";
}
