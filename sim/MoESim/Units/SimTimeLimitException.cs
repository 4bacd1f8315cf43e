namespace MoESim.Units;

/// <summary>
/// Thrown when a simulated instant would pass <see cref="SimTime.MaxSeconds"/> (about 106.75 days
/// at 1 ps resolution). Inputs that are known up front (request arrivals, profile values) are
/// checked where they are read, with their file and line; this is the engine's backstop for a
/// run whose legal inputs still add up past the limit. The CLI reports it as bad input (exit 2).
/// </summary>
public sealed class SimTimeLimitException : Exception
{
    /// <summary>Creates the exception for an instant of <paramref name="seconds"/> (may be infinite).</summary>
    public SimTimeLimitException(double seconds)
        : base($"simulated time would reach {seconds:G4} s, past the limit of {SimTime.LimitText}: the run's inputs add up to too long a run "
            + "(very low efficiencies or bandwidths, large overheads, or a workload spanning months); shorten the workload or check those values")
    {
        Seconds = seconds;
    }

    /// <summary>The instant, seconds, that was out of range.</summary>
    public double Seconds { get; }
}
