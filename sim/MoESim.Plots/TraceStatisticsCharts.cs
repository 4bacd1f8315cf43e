using MoESim.Traces.Statistics;

namespace MoESim.Plots;

/// <summary>
/// The charts of <c>trace stats</c>: layer × expert popularity heatmaps (one per phase), LRU and
/// LFU hit rate against cache size, the affinity matrix P(e' | e) of one layer pair, and distinct
/// experts per batch against batch size.
/// </summary>
public static class TraceStatisticsCharts
{
    /// <summary>Writes every chart (PNG and SVG) into <paramref name="folder"/>; phases without tokens are left out.</summary>
    public static IReadOnlyList<ChartFilePaths> Save(TraceStatistics stats, string title, string folder)
    {
        var files = new List<ChartFilePaths>();
        var phases = stats.Phases.Where(p => p.Tokens > 0).ToArray();
        if (phases.Length == 0) return files;
        var experts = stats.Shape.NumExperts;
        var layers = stats.Shape.NumMoeLayers;
        foreach (var phase in phases)
        {
            // Percent, or per mille when no cell reaches 10%: the colour bar's tick labels then
            // stay two characters wide, which its label's placement needs to stay clear of them.
            var maxShare = 0.0;
            for (var l = 0; l < layers; l++)
            {
                double total = phase.ExpertSelections[l].Sum();
                if (total > 0) maxShare = Math.Max(maxShare, phase.ExpertSelections[l].Max() / total);
            }
            var (scale, unit) = maxShare >= 0.1 ? (100.0, "%") : (1000.0, "‰");
            var values = new double[layers, experts];
            for (var l = 0; l < layers; l++)
            {
                double total = phase.ExpertSelections[l].Sum();
                for (var e = 0; e < experts; e++) values[l, e] = total == 0 ? double.NaN : scale * phase.ExpertSelections[l][e] / total;
            }
            files.Add(SaveHeatmap(new HeatmapChartData
            {
                Title = $"Expert popularity ({phase.Phase}): {title}",
                XAxisLabel = "Expert",
                YAxisLabel = "MoE layer",
                ColorBarLabel = $"Share of the layer's selections ({unit})",
                RowLabels = Enumerable.Range(0, layers).Select(l => l.ToString()).ToArray(),
                ColumnLabels = Enumerable.Range(0, experts).Select(e => e.ToString()).ToArray(),
                Values = values,
            }, Path.Combine(folder, $"popularity_{phase.Phase}")));
        }

        if (CacheHitRateChart(phases, title) is { } cache)
            files.Add(LineChart.Save(cache, Path.Combine(folder, "cache_hit_rate")));

        var matrixPhase = phases.FirstOrDefault(p => p.Phase == "decode") ?? phases[0];
        if (layers > 1 && matrixPhase.SampledTokens > 0)
        {
            var m = matrixPhase.AffinityMatrix;
            var values = new double[experts, experts];
            for (var a = 0; a < experts; a++)
                for (var b = 0; b < experts; b++) values[a, b] = m[a][b];
            var l = stats.Options.MatrixLayer;
            files.Add(SaveHeatmap(new HeatmapChartData
            {
                Title = $"Affinity, layer {l} to {l + 1} ({matrixPhase.Phase}): {title}",
                XAxisLabel = $"Expert at layer {l + 1}",
                YAxisLabel = $"Expert at layer {l}",
                ColorBarLabel = "P(expert at l+1 | expert at l)",
                RowLabels = Enumerable.Range(0, experts).Select(e => e.ToString()).ToArray(),
                ColumnLabels = Enumerable.Range(0, experts).Select(e => e.ToString()).ToArray(),
                Values = values,
                ShowCellValues = experts <= 8,
            }, Path.Combine(folder, $"affinity_layer{l}")));
        }

        if (DistinctExpertsChart(phases, experts, title) is { } distinct)
            files.Add(LineChart.Save(distinct, Path.Combine(folder, "distinct_experts_vs_batch")));
        return files;
    }

    /// <summary>LRU and LFU hit rate (%) against cache size; null when no phase was sampled.</summary>
    internal static LineChartData? CacheHitRateChart(IReadOnlyList<PhaseStatistics> phases, string title)
    {
        var cacheSeries = new List<LineSeries>();
        foreach (var phase in phases.Where(p => p.SampledTokens > 0))
        {
            cacheSeries.Add(Series($"LRU, {phase.Phase}", phase.LruCacheSizes.Select(x => (double)x), phase.LruHitRate.Select(h => 100 * h)));
            if (phase.LfuCacheSizes.Length > 0)
                cacheSeries.Add(Series($"LFU, {phase.Phase}", phase.LfuCacheSizes.Select(x => (double)x), phase.LfuHitRate.Select(h => 100 * h)));
        }
        if (cacheSeries.Count == 0) return null;
        return new LineChartData
        {
            Title = $"Expert-cache hit rate: {title}",
            XAxisLabel = "Cache size (experts per layer)",
            YAxisLabel = "Hit rate (%)",
            Series = cacheSeries,
            ShowMarkers = false,
            YAxisRange = (0, 100),
        };
    }

    /// <summary>Mean distinct experts per layer against batch size (0..experts); null when no phase has batch sizes.</summary>
    internal static LineChartData? DistinctExpertsChart(IReadOnlyList<PhaseStatistics> phases, int experts, string title)
    {
        var distinct = new List<LineSeries>();
        foreach (var phase in phases.Where(p => p.BatchSizes.Length > 0))
        {
            // Prefill and decode curves often coincide: prefill gets open rings around decode's
            // dots. The independent-tokens curve is a reference, so it is dashed.
            var marker = phase.Phase == "prefill" ? SeriesMarker.OpenCircle : SeriesMarker.FilledCircle;
            distinct.Add(Series($"{phase.Phase}, measured", phase.BatchSizes.Select(x => (double)x), phase.DistinctExpertsMeasured) with { Marker = marker });
            distinct.Add(Series($"{phase.Phase}, independent tokens", phase.BatchSizes.Select(x => (double)x), phase.DistinctExpertsIndependent) with { Marker = marker, Dashed = true });
        }
        if (distinct.Count == 0) return null;
        return new LineChartData
        {
            Title = $"Distinct experts per batch: {title}",
            XAxisLabel = "Batch size (tokens)",
            YAxisLabel = "Distinct experts per layer (mean)",
            Series = distinct,
            LogX = true,
            // A batch touches between none and all of a layer's experts.
            YAxisRange = (0, experts),
        };
    }

    private static ChartFilePaths SaveHeatmap(HeatmapChartData data, string path) => HeatmapChart.Save(data, path);

    private static LineSeries Series(string name, IEnumerable<double> xs, IEnumerable<double> ys)
    {
        var x = xs.ToArray();
        var y = ys.ToArray();
        var keep = Enumerable.Range(0, x.Length).Where(i => double.IsFinite(x[i]) && double.IsFinite(y[i])).ToArray();
        return new LineSeries { Name = name, Xs = keep.Select(i => x[i]).ToArray(), Ys = keep.Select(i => y[i]).ToArray() };
    }
}
