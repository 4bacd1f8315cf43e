using MoESim.Parallelism;

namespace MoESim.Placement;

/// <summary>
/// Re-placement over time windows: for window w ≥ 1 the strategy places from window w−1's routing
/// (what a serving system just saw) and the result serves window w; the static placement serves
/// every window. Both are scored by <see cref="PlacementEvaluator"/> on each window, and each
/// change of placement is priced by <see cref="MigrationCost"/>.
/// </summary>
public static class WindowedPlacement
{
    /// <summary>One row per window, in time order.</summary>
    /// <param name="strategy">Strategy that re-places (normally the one that made <paramref name="staticPlacement"/>).</param>
    /// <param name="staticPlacement">Placement computed once from the fit part.</param>
    /// <param name="windows">Each window's routing statistics in time order (streamed; at least 2).</param>
    /// <param name="problem">System, cost model and slot budget shared by both placements.</param>
    /// <param name="servingStepsPerWindow">Serving steps one window stands for, &gt; 0.</param>
    /// <param name="windowCount">Windows expected, for progress only.</param>
    /// <param name="progress">Fraction done, 0..1.</param>
    public static IReadOnlyList<PlacementWindowRow> Run(IPlacementStrategy strategy, ExpertPlacement staticPlacement, IEnumerable<RoutingStatistics> windows,
        PlacementProblem problem, double servingStepsPerWindow, int windowCount, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentNullException.ThrowIfNull(staticPlacement);
        ArgumentNullException.ThrowIfNull(windows);
        if (!(servingStepsPerWindow > 0) || double.IsInfinity(servingStepsPerWindow))
            throw new ArgumentOutOfRangeException(nameof(servingStepsPerWindow), servingStepsPerWindow, "must be finite and greater than zero");
        var rows = new List<PlacementWindowRow>();
        var current = staticPlacement;
        RoutingStatistics? previous = null;
        foreach (var stats in windows)
        {
            var migration = PlacementMigration.None(staticPlacement.NumDevices);
            if (previous is not null)
            {
                var next = strategy.Place(previous, problem).Placement;
                migration = MigrationCost.Between(current, next, problem);
                current = next;
            }
            var staticScore = PlacementEvaluator.Evaluate(staticPlacement, stats, problem);
            rows.Add(new PlacementWindowRow
            {
                Window = rows.Count,
                TraceSteps = stats.Steps,
                Tokens = stats.Tokens,
                Static = staticScore,
                Replaced = previous is null ? staticScore : PlacementEvaluator.Evaluate(current, stats, problem),
                Migration = migration,
                ServingStepsPerWindow = servingStepsPerWindow,
            });
            previous = stats;
            progress?.Report(Math.Min(1, rows.Count / (double)Math.Max(1, windowCount)));
        }
        if (rows.Count < 2) throw new ArgumentException($"re-placement needs at least 2 windows, got {rows.Count}", nameof(windows));
        return rows;
    }
}
