using MoESim.Plots;
using static MoESim.Tests.Plots.ChartTestSupport;

namespace MoESim.Tests.Plots;

[TestFixture]
public sealed class LineChartTests
{
    private string folder = string.Empty;

    [SetUp]
    public void SetUp() => folder = NewTempFolder();

    [TearDown]
    public void TearDown() => DeleteFolder(folder);

    [Test]
    public void Save_WritesChartWithLabelsAndLegend()
    {
        double[] t = [0, 1, 2, 3, 4];
        LineChartData data = LatencyChart(Series("TTFT p50", t, [80, 82, 90, 85, 88]), Series("TTFT p99", t, [150, 170, 160, 190, 175]));

        ChartFilePaths paths = LineChart.Save(data, Path.Combine(folder, "latency"));

        AssertChartFiles(paths, folder, 1200, 800, "Simulated time (s)", "Latency (ms)", "Latency over time", "TTFT p99");
    }

    [Test]
    public void Save_WithLogAxesAndRightAxis_DrawsAllLabels()
    {
        double[] rate = [1, 2, 4, 8, 16];
        LineChartData data = LatencyChart(Series("TPOT p50", rate, [12, 12.5, 13, 15, 20])) with
        {
            LogX = true,
            LogY = true,
            RightYAxisLabel = "Throughput (tokens/s)",
            RightSeries = [Series("output tokens/s", rate, [100, 190, 370, 700, 1200])],
        };

        ChartFilePaths paths = LineChart.Save(data, Path.Combine(folder, "log"), 900, 600);

        AssertChartFiles(paths, folder, 900, 600, "Throughput (tokens/s)", "Latency (ms)", "output tokens/s (right axis)");
    }

    [Test]
    public void Save_MismatchedLengths_NamesTheSeries()
    {
        LineChartData data = LatencyChart(Series("TTFT p50", [0, 1, 2], [1, 2]));

        ArgumentException error = Assert.Throws<ArgumentException>(() => LineChart.Save(data, Path.Combine(folder, "x")))!;

        Assert.That(error.Message, Does.Contain("TTFT p50").And.Contain("3 x values but 2 y values"));
        Assert.That(Directory.GetFiles(folder), Is.Empty);
    }

    [Test]
    public void Save_EmptySeries_NamesTheSeries()
    {
        LineChartData data = LatencyChart(Series("queue depth", [], []));

        ArgumentException error = Assert.Throws<ArgumentException>(() => LineChart.Save(data, Path.Combine(folder, "x")))!;

        Assert.That(error.Message, Does.Contain("queue depth").And.Contain("empty"));
    }

    [TestCase(0.0)]
    [TestCase(-3.0)]
    public void Save_NonPositiveOnLogAxis_NamesTheSeries(double bad)
    {
        LineChartData data = LatencyChart(Series("TPOT p99", [1, 2, 3], [5, bad, 7])) with { LogY = true };

        ArgumentException error = Assert.Throws<ArgumentException>(() => LineChart.Save(data, Path.Combine(folder, "x")))!;

        Assert.That(error.Message, Does.Contain("TPOT p99").And.Contain("logarithmic"));
    }

    [Test]
    public void Save_NonPositiveOnLinearAxis_IsAllowed()
    {
        LineChartData data = LatencyChart(Series("delta", [1, 2, 3], [-5, 0, 7]));

        Assert.DoesNotThrow(() => LineChart.Save(data, Path.Combine(folder, "ok")));
    }

    [Test]
    public void Save_NaN_NamesTheSeries()
    {
        LineChartData data = LatencyChart(Series("goodput", [1, 2], [double.NaN, 1]));

        ArgumentException error = Assert.Throws<ArgumentException>(() => LineChart.Save(data, Path.Combine(folder, "x")))!;

        Assert.That(error.Message, Does.Contain("goodput").And.Contain("non-finite"));
    }

    [Test]
    public void Save_NoSeries_Throws()
    {
        Assert.Throws<ArgumentException>(() => LineChart.Save(LatencyChart(), Path.Combine(folder, "x")));
    }

    [Test]
    public void Save_RightSeriesWithoutLabel_Throws()
    {
        LineChartData data = LatencyChart(Series("a", [1], [1])) with { RightSeries = [Series("b", [1], [2])] };

        ArgumentException error = Assert.Throws<ArgumentException>(() => LineChart.Save(data, Path.Combine(folder, "x")))!;

        Assert.That(error.Message, Does.Contain("RightYAxisLabel"));
    }

    [Test]
    public void Save_DuplicateSeriesNames_Throws()
    {
        LineChartData data = LatencyChart(Series("same", [1], [1]), Series("same", [1], [2]));

        ArgumentException error = Assert.Throws<ArgumentException>(() => LineChart.Save(data, Path.Combine(folder, "x")))!;

        Assert.That(error.Message, Does.Contain("same"));
    }
}
