using System.Globalization;
using MoESim.Planning;

namespace MoESim.Plots;

/// <summary>
/// Capacity-plan cost curves: for each candidate, the latency percentile the objective names
/// against the price per hour of 1..N replicas, with the objective's limit as a dashed line and
/// the cheapest option that meets it ringed.
/// </summary>
public static class CapacityPlanCharts
{
    /// <summary>Writes capacity_tpot and (with a TTFT limit) capacity_ttft as PNG and SVG into <paramref name="folder"/>; none when no option was simulated.</summary>
    public static IReadOnlyList<ChartFilePaths> Save(CapacityPlan plan, string title, string folder)
    {
        var files = new List<ChartFilePaths>();
        if (Chart(plan, ttft: false, title) is { } tpot) files.Add(LineChart.Save(tpot, Path.Combine(folder, "capacity_tpot")));
        if (plan.Objective.TtftSeconds is not null && Chart(plan, ttft: true, title) is { } ttft) files.Add(LineChart.Save(ttft, Path.Combine(folder, "capacity_ttft")));
        return files;
    }

    /// <summary>The TPOT (or TTFT) cost curves of <paramref name="plan"/>; null when no option was simulated.</summary>
    internal static LineChartData? Chart(CapacityPlan plan, bool ttft, string title)
    {
        double Latency(CapacityPlanRow r) => 1e3 * (ttft ? r.TtftSeconds : r.TpotSeconds);
        var simulated = plan.Rows.Where(r => double.IsFinite(Latency(r))).ToList();
        if (simulated.Count == 0) return null;
        var inv = CultureInfo.InvariantCulture;
        var p = plan.Objective.Percentile;
        var metric = ttft ? "TTFT" : "TPOT";
        var limitMs = 1e3 * (ttft ? plan.Objective.TtftSeconds!.Value : plan.Objective.TpotSeconds);
        var series = new List<LineSeries>();
        foreach (var group in simulated.GroupBy(r => r.Candidate.Name))
        {
            var rows = group.OrderBy(r => r.Replicas).ToList();
            series.Add(new LineSeries
            {
                Name = $"{group.Key} ({rows[0].Replicas}-{rows[^1].Replicas} replicas)",
                Xs = rows.Select(r => r.PricePerHourUsd).ToArray(),
                Ys = rows.Select(Latency).ToArray(),
            });
        }
        double low = simulated.Min(r => r.PricePerHourUsd), high = simulated.Max(r => r.PricePerHourUsd);
        series.Add(new LineSeries
        {
            Name = string.Create(inv, $"objective: {metric} p{p} ≤ {limitMs:G4} ms"),
            Xs = [low, high],
            Ys = [limitMs, limitMs],
            Dashed = true,
            Marker = SeriesMarker.None,
        });
        if (plan.Best is { } best && double.IsFinite(Latency(best)))
            series.Add(new LineSeries
            {
                Name = string.Create(inv, $"cheapest meeting it: {best.Replicas} × {best.Candidate.Name}, ${best.PricePerHourUsd:F2}/h"),
                Xs = [best.PricePerHourUsd],
                Ys = [Latency(best)],
                Marker = SeriesMarker.OpenCircle,
            });
        return new LineChartData
        {
            Title = $"Capacity plan: {title}",
            XAxisLabel = "Price of all replicas (USD per hour)",
            YAxisLabel = $"{metric} p{p} over all requests (ms)",
            Series = series,
            ShowMarkers = true,
            // An overloaded option's latency can be 10x the others': a log axis keeps the limit readable.
            LogY = series.SelectMany(x => x.Ys).Max() > 10 * series.SelectMany(x => x.Ys).Min(),
        };
    }
}
