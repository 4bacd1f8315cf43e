namespace MoESim.Units;

/// <summary>
/// Simulated time as a whole number of picoseconds. Integer time keeps runs bit-for-bit
/// deterministic; durations computed in double seconds are rounded once, when scheduled.
/// Range: 0 to about 106 days.
/// </summary>
public readonly record struct SimTime(long Picoseconds) : IComparable<SimTime>
{
    /// <summary>Picoseconds in one second.</summary>
    public const long PicosecondsPerSecond = 1_000_000_000_000L;

    public static readonly SimTime Zero = new(0);
    public static readonly SimTime MaxValue = new(long.MaxValue);

    /// <summary>Rounds a duration or instant in seconds to the nearest picosecond.</summary>
    public static SimTime FromSeconds(double seconds)
    {
        if (double.IsNaN(seconds) || seconds < 0 || seconds * PicosecondsPerSecond >= long.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "time must be finite and non-negative");
        return new SimTime((long)Math.Round(seconds * PicosecondsPerSecond, MidpointRounding.AwayFromZero));
    }

    /// <summary>This time in seconds.</summary>
    public double Seconds => Picoseconds / (double)PicosecondsPerSecond;

    /// <summary>This time in microseconds (Chrome trace-event unit).</summary>
    public double Microseconds => Picoseconds / 1e6;

    public int CompareTo(SimTime other) => Picoseconds.CompareTo(other.Picoseconds);

    public static SimTime operator +(SimTime a, SimTime b) => new(a.Picoseconds + b.Picoseconds);
    public static SimTime operator -(SimTime a, SimTime b) => new(a.Picoseconds - b.Picoseconds);
    public static bool operator <(SimTime a, SimTime b) => a.Picoseconds < b.Picoseconds;
    public static bool operator >(SimTime a, SimTime b) => a.Picoseconds > b.Picoseconds;
    public static bool operator <=(SimTime a, SimTime b) => a.Picoseconds <= b.Picoseconds;
    public static bool operator >=(SimTime a, SimTime b) => a.Picoseconds >= b.Picoseconds;
    public static SimTime Max(SimTime a, SimTime b) => a.Picoseconds >= b.Picoseconds ? a : b;
    public static SimTime Min(SimTime a, SimTime b) => a.Picoseconds <= b.Picoseconds ? a : b;

    public override string ToString() => $"{Seconds:G6} s";
}
