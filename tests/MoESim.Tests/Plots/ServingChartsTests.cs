using MoESim.Metrics;
using MoESim.Plots;

namespace MoESim.Tests.Plots;

[TestFixture]
public sealed class ServingChartsTests
{
    private static TimeSeriesPoint Point(double t, double busy, double kv) => new()
    {
        TimeSeconds = t,
        OutputTokensPerSecond = 10,
        PromptTokensPerSecond = 20,
        DeviceBusyFraction = busy,
        ComputeUtilization = busy / 10,
        MemoryBandwidthUtilization = busy / 2,
        MeanTtftSeconds = double.NaN,
        MeanTpotSeconds = double.NaN,
        KvCacheFraction = kv,
    };

    [Test]
    public void Utilisation_YAxisRunsFromZeroToOne()
    {
        // Fractions 0 and 1 used to get a -0.05..1.05 axis from ScottPlot's margin.
        LineChartData data = ServingCharts.UtilisationChart([Point(0.5, 0, 0), Point(1.5, 1, 0.4), Point(2.5, 0.7, 0.9)], "t");

        Assert.That(data.YAxisRange, Is.EqualTo((0.0, 1.0)));
        ChartTestSupport.AssertLeftAxisBounded(LineChart.Build(data), 0, 1);
    }
}
