using MoESim.Plots;
using MoESim.Traces.Statistics;

namespace MoESim.Tests.Plots;

[TestFixture]
public sealed class TraceStatisticsChartsTests
{
    private static PhaseStatistics Phase(double[] lruHitRate, double[] distinct, string phase = "decode") => new()
    {
        Phase = phase,
        Tokens = 100,
        SampledTokens = 100,
        Layers = [],
        LruCacheSizes = Enumerable.Range(1, lruHitRate.Length).ToArray(),
        LruHitRate = lruHitRate,
        LfuCacheSizes = [],
        LfuHitRate = [],
        ReuseDistance = [],
        BatchSizes = Enumerable.Range(0, distinct.Length).Select(i => 1 << i).ToArray(),
        DistinctExpertsMeasured = distinct,
        DistinctExpertsIndependent = distinct,
        Affinity = [],
    };

    [Test]
    public void CacheHitRate_YAxisRunsFromZeroToHundredPercent()
    {
        // Hit rates 0 and 1 (0 % and 100 %) used to get a -5..105 % axis from ScottPlot's margin.
        LineChartData data = TraceStatisticsCharts.CacheHitRateChart([Phase([0, 0.3, 0.8, 1], [2])], "t")!;

        Assert.That(data.YAxisLabel, Does.Contain("%"));
        ChartTestSupport.AssertLeftAxisBounded(LineChart.Build(data), 0, 100);
    }

    [Test]
    public void DistinctExperts_YAxisRunsFromNoneToAllExperts()
    {
        LineChartData data = TraceStatisticsCharts.DistinctExpertsChart([Phase([0.5], [2, 3.9, 7.1, 8])], experts: 8, "t")!;

        ChartTestSupport.AssertLeftAxisBounded(LineChart.Build(data), 0, 8);
    }

    [Test]
    public void DistinctExperts_CoincidingPhasesStayDistinguishable()
    {
        // Prefill and decode curves of the same trace often lie on top of each other: prefill
        // gets open rings (drawn around decode's dots), and the independent-tokens reference
        // curves are dashed, so all four legend entries can be told apart on the plot.
        double[] same = [2, 3.9, 7.1, 8];
        LineChartData data = TraceStatisticsCharts.DistinctExpertsChart([Phase([0.5], same, "prefill"), Phase([0.5], same)], experts: 8, "t")!;

        Assert.That(data.Series.Select(s => (s.Name, s.Marker, s.Dashed)), Is.EqualTo(new[]
        {
            ("prefill, measured", SeriesMarker.OpenCircle, false),
            ("prefill, independent tokens", SeriesMarker.OpenCircle, true),
            ("decode, measured", SeriesMarker.FilledCircle, false),
            ("decode, independent tokens", SeriesMarker.FilledCircle, true),
        }));
    }
}
