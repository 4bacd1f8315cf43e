using System.Globalization;
using System.Text;

namespace MoESim.Placement;

/// <summary>Runs every strategy on the fit statistics and scores each on fit and held-out data; formats the table.</summary>
public static class PlacementComparison
{
    /// <summary>One row per strategy in <paramref name="strategies"/> order.</summary>
    public static IReadOnlyList<PlacementComparisonRow> Run(IEnumerable<IPlacementStrategy> strategies, RoutingStatistics fit, RoutingStatistics heldOut, PlacementProblem problem, IProgress<double>? progress = null)
    {
        var list = strategies.ToList();
        var rows = new List<PlacementComparisonRow>();
        for (var i = 0; i < list.Count; i++)
        {
            var result = list[i].Place(fit, problem);
            rows.Add(new PlacementComparisonRow
            {
                Result = result,
                Fit = PlacementEvaluator.Evaluate(result.Placement, fit, problem),
                HeldOut = PlacementEvaluator.Evaluate(result.Placement, heldOut, problem),
            });
            progress?.Report((i + 1.0) / list.Count);
        }
        return rows;
    }

    private static readonly string[] Headers =
    {
        "strategy", "part", "max_device_load_tokens", "mean_device_load_tokens", "imbalance", "cross_device_mb_per_step",
        "moe_ms_per_step", "moe_tokens_per_s", "sim_tokens_per_s", "solve_s", "ilp_gap_percent",
    };

    private static IEnumerable<string[]> Cells(IReadOnlyList<PlacementComparisonRow> rows)
    {
        foreach (var row in rows)
        {
            foreach (var (part, s) in new[] { ("fit", row.Fit), ("held-out", row.HeldOut) })
            {
                yield return new[]
                {
                    row.Result.Placement.Strategy, part,
                    F(s.MaxDeviceLoadTokens, "F1"), F(s.MeanDeviceLoadTokens, "F1"), F(s.LoadImbalance, "F3"),
                    F(s.CrossDeviceBytes / 1e6, "F3"), F(s.MoeSecondsPerStep * 1e3, "F4"), F(s.MoeTokensPerSecond, "F0"),
                    part == "held-out" && row.SimulatedTokensPerSecond is { } sim ? F(sim, "F0") : "",
                    F(row.Result.SolveSeconds, "F2"), row.Result.OptimalityGap is { } g ? F(g * 100, "F3") : "",
                };
            }
        }
    }

    private static string F(double v, string format) => TextTable.F(v, format);

    /// <summary>CSV with a header line; numbers in invariant culture.</summary>
    public static string ToCsv(IReadOnlyList<PlacementComparisonRow> rows) => TextTable.Csv(Headers, Cells(rows));

    /// <summary>
    /// Per-layer CSV of a strategy with per-layer gaps (the ILP): layer, its time on the fit part
    /// (the incumbent), the proven bound and the gap; null when the strategy states no gaps.
    /// </summary>
    public static string? LayerGapsCsv(PlacementComparisonRow row)
    {
        if (row.Result.LayerGaps is not { } gaps) return null;
        var s = new StringBuilder("layer,incumbent_ms,bound_ms,gap_percent\n");
        for (var l = 0; l < gaps.Count; l++)
        {
            var ms = row.Fit.LayerSeconds[l] * 1e3;
            s.Append(CultureInfo.InvariantCulture, $"{l},{ms:F6},{ms * (1 - gaps[l]):F6},{gaps[l] * 100:F3}\n");
        }
        return s.ToString();
    }

    /// <summary>A markdown (and console-readable) table.</summary>
    public static string ToMarkdown(IReadOnlyList<PlacementComparisonRow> rows) => TextTable.Markdown(Headers, Cells(rows), textColumns: 2);
}
