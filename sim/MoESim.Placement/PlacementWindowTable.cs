using System.Globalization;

namespace MoESim.Placement;

/// <summary>Formats re-placement windows (<see cref="WindowedPlacement"/>) as CSV, markdown and a short verdict.</summary>
public static class PlacementWindowTable
{
    private static readonly string[] Headers =
    {
        "window", "trace_steps", "tokens", "mean_device_load_tokens", "static_max_device_load_tokens", "replaced_max_device_load_tokens",
        "static_moe_ms_per_step", "replaced_moe_ms_per_step", "copies_moved", "migrated_gb", "max_device_in_gb", "migration_s",
        "serving_steps_per_window", "replaced_amortised_ms_per_step", "break_even_serving_steps", "pays_off",
    };

    private static IEnumerable<string[]> Cells(IReadOnlyList<PlacementWindowRow> rows)
    {
        foreach (var r in rows)
        {
            yield return new[]
            {
                $"{r.Window}", $"{r.TraceSteps}", $"{r.Tokens}", F(r.Static.MeanDeviceLoadTokens, "F1"),
                F(r.Static.MaxDeviceLoadTokens, "F1"), F(r.Replaced.MaxDeviceLoadTokens, "F1"),
                F(r.Static.MoeSecondsPerStep * 1e3, "F4"), F(r.Replaced.MoeSecondsPerStep * 1e3, "F4"),
                $"{r.Migration.CopiesMoved}", F(r.Migration.Bytes / 1e9, "F3"), F(r.Migration.DeviceInBytes.Max() / 1e9, "F3"), F(r.Migration.Seconds, "F4"),
                F(r.ServingStepsPerWindow, "G"), F(r.ReplacedAmortisedSecondsPerStep * 1e3, "F4"),
                r.Window == 0 ? "" : double.IsPositiveInfinity(r.BreakEvenServingSteps) ? "never" : F(r.BreakEvenServingSteps, "F0"),
                r.Window == 0 ? "" : r.PaysOff ? "yes" : "no",
            };
        }
    }

    private static string F(double v, string format) => TextTable.F(v, format);

    /// <summary>
    /// CSV, one line per window. Window 0 is served by the static placement in both columns
    /// (nothing to re-place from), so its break-even and pays_off cells are empty; a window whose
    /// re-placed placement is not faster (gain ≤ 0) breaks even "never", even when nothing moves. Mean device
    /// load depends on the window only, so it is one column for both placements.
    /// </summary>
    public static string ToCsv(IReadOnlyList<PlacementWindowRow> rows) => TextTable.Csv(Headers, Cells(rows));

    /// <summary>The same table as markdown.</summary>
    public static string ToMarkdown(IReadOnlyList<PlacementWindowRow> rows) => TextTable.Markdown(Headers, Cells(rows), textColumns: 0);

    /// <summary>
    /// A few lines: over the re-placed windows (1..N−1), mean MoE time per step static vs
    /// re-placed (without and with the migration amortised), the weights moved, and whether
    /// re-placing every window pays off, with the break-even window length.
    /// </summary>
    public static IReadOnlyList<string> Summary(IReadOnlyList<PlacementWindowRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var replaced = rows.Where(r => r.Window > 0).ToList();
        if (replaced.Count == 0) return [];
        var n = replaced.Count;
        var steps = replaced[0].ServingStepsPerWindow;
        double staticMs = replaced.Sum(r => r.Static.MoeSecondsPerStep) * 1e3 / n, replacedMs = replaced.Sum(r => r.Replaced.MoeSecondsPerStep) * 1e3 / n;
        var amortisedMs = replaced.Sum(r => r.ReplacedAmortisedSecondsPerStep) * 1e3 / n;
        double staticLoad = replaced.Sum(r => r.Static.MaxDeviceLoadTokens) / n, replacedLoad = replaced.Sum(r => r.Replaced.MaxDeviceLoadTokens) / n;
        double gb = replaced.Sum(r => r.Migration.Bytes) / 1e9, migrationS = replaced.Sum(r => r.Migration.Seconds);
        var gainS = replaced.Sum(r => r.GainSecondsPerStep);
        var breakEven = !(gainS > 0) ? "no break-even: re-placed is not faster even before migration"
            : migrationS == 0 ? "break-even at once (nothing migrates)"
            : string.Create(CultureInfo.InvariantCulture, $"break-even at {migrationS / gainS:F0} serving steps per window");
        var pays = amortisedMs < staticMs;
        return
        [
            string.Create(CultureInfo.InvariantCulture, $"windows 1..{rows.Count - 1} (re-placed from the window before), means: max device load {staticLoad:F1} static vs {replacedLoad:F1} re-placed token-expert pairs per step; MoE time {staticMs:F4} static vs {replacedMs:F4} re-placed ms/step"),
            string.Create(CultureInfo.InvariantCulture, $"migration: {gb:F3} GB moved in {n} re-placements, {migrationS / n:F4} s each on average (slowest device, links in parallel, serving paused)"),
            string.Create(CultureInfo.InvariantCulture, $"amortised over {steps:G} serving steps per window (--steps-per-window): {amortisedMs:F4} ms/step re-placed vs {staticMs:F4} static; re-placement {(pays ? "pays off" : "does not pay off")} ({replaced.Count(r => r.PaysOff)} of {n} windows); {breakEven}"),
        ];
    }
}
