namespace MoESim.Placement;

/// <summary>
/// One time window of the scored trace part: the static placement and the re-placed one (placed
/// from the previous window's routing) scored on it, and the migration into the re-placed one.
/// Window 0 has no previous window, so the static placement serves it in both columns and
/// nothing migrates.
/// </summary>
public sealed record PlacementWindowRow
{
    /// <summary>Window index in time order, 0-based.</summary>
    public required int Window { get; init; }

    /// <summary>Trace steps (request iterations) in the window, ≥ 1.</summary>
    public required long TraceSteps { get; init; }

    /// <summary>Tokens in the window, ≥ 1.</summary>
    public required long Tokens { get; init; }

    /// <summary>The static placement (computed once from the fit part) scored on this window.</summary>
    public required PlacementScore Static { get; init; }

    /// <summary>The placement in force in this window under re-placement, scored on it.</summary>
    public required PlacementScore Replaced { get; init; }

    /// <summary>Weights moved at the start of the window, from the previous window's placement (the static one before window 1).</summary>
    public required PlacementMigration Migration { get; init; }

    /// <summary>Serving steps the window stands for, over which the migration is amortised, &gt; 0.</summary>
    public required double ServingStepsPerWindow { get; init; }

    /// <summary>Re-placed MoE time per step plus the migration time spread over the window's serving steps, seconds.</summary>
    public double ReplacedAmortisedSecondsPerStep => Replaced.MoeSecondsPerStep + Migration.Seconds / ServingStepsPerWindow;

    /// <summary>Static minus re-placed MoE time per step, seconds (negative when re-placing is slower even before migration).</summary>
    public double GainSecondsPerStep => Static.MoeSecondsPerStep - Replaced.MoeSecondsPerStep;

    /// <summary>
    /// Serving steps a window must last for the gain to repay the migration: migration seconds /
    /// gain per step when the gain is &gt; 0 (so 0 when re-placing is faster and nothing migrates);
    /// +∞ (never) when re-placing gains nothing (gain ≤ 0), whether or not anything migrates.
    /// </summary>
    public double BreakEvenServingSteps => GainSecondsPerStep > 0 ? Migration.Seconds / GainSecondsPerStep : double.PositiveInfinity;

    /// <summary>True when re-placing is faster per step after paying for the migration (false for window 0, where nothing is re-placed).</summary>
    public bool PaysOff => Window > 0 && ReplacedAmortisedSecondsPerStep < Static.MoeSecondsPerStep;
}
