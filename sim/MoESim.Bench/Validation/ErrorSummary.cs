using MoESim.Bench.Suite;

namespace MoESim.Bench.Validation;

/// <summary>
/// Median and 90th-percentile absolute % error of a group of rows (R-7 percentiles), and the
/// median timing spread of its cases (p10-p90 width over the median, %).
/// </summary>
public sealed record ErrorSummary(string Group, string Subset, int Count, double MedianAbsPercent, double P90AbsPercent, double MedianSpreadPercent = 0)
{
    /// <summary>Summarises <paramref name="rows"/> (at least one).</summary>
    public static ErrorSummary Of(string group, string subset, IEnumerable<ValidationRow> rows)
    {
        var list = rows.ToList();
        var errors = list.Select(r => r.AbsolutePercentError).Order().ToArray();
        if (errors.Length == 0) throw new ArgumentException($"no rows in {group}/{subset}", nameof(rows));
        var spreads = list.Select(r => r.SpreadPercent).Order().ToArray();
        return new ErrorSummary(group, subset, errors.Length, TimingStatistics.Percentile(errors, 0.5), TimingStatistics.Percentile(errors, 0.9),
            TimingStatistics.Percentile(spreads, 0.5));
    }

    /// <summary>
    /// Per family and subset, then overall lines: single kernels fitted, single kernels held out,
    /// and composites (always held out).
    /// </summary>
    public static IReadOnlyList<ErrorSummary> Summarise(IReadOnlyList<ValidationRow> rows)
    {
        var result = new List<ErrorSummary>();
        foreach (var g in rows.GroupBy(r => (r.Family, r.Subset)).OrderBy(g => g.Key.Family, StringComparer.Ordinal).ThenBy(g => g.Key.Subset, StringComparer.Ordinal))
            result.Add(Of(g.Key.Family, g.Key.Subset, g));
        void Overall(string subset, Func<ValidationRow, bool> pick)
        {
            var chosen = rows.Where(pick).ToList();
            if (chosen.Count > 0) result.Add(Of("ALL single kernels", subset, chosen));
        }
        Overall("fit", r => !r.Composite && r.Fit);
        Overall("held-out", r => !r.Composite && !r.Fit);
        var composites = rows.Where(r => r.Composite).ToList();
        if (composites.Count > 0) result.Add(Of("ALL composites", "composite (held-out)", composites));
        return result;
    }
}
