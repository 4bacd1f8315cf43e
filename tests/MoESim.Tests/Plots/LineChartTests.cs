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
    public void Build_YAxisRange_PinsTheLeftAxisToThatRange()
    {
        // Without a range ScottPlot pads the data by a margin: a 0..100 % curve got a -5..105 axis.
        LineChartData data = LatencyChart(Series("hit rate", [1, 2, 3], [0, 60, 100])) with { YAxisRange = (0, 100) };

        AssertLeftAxisBounded(LineChart.Build(data), 0, 100);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Build_RightYAxisRange_PinsTheRightAxis(bool pinned)
    {
        // Migrated gigabytes 0..700 on the right axis: unpinned, ScottPlot's margin shows -35 GB.
        LineChartData data = LatencyChart(Series("MoE time", [0, 1, 2], [47, 55, 59])) with
        {
            RightYAxisLabel = "Migrated (GB)",
            RightSeries = [Series("migrated", [0, 1, 2], [0, 700, 690])],
            RightYAxisRange = pinned ? (0, 700) : null,
        };
        ScottPlot.Plot plot = LineChart.Build(data);
        plot.RenderInMemory(1200, 800);

        if (pinned)
        {
            Assert.That(plot.Axes.Right.Min, Is.EqualTo(-7).Within(1e-6), "0 minus the 1 % pad");
            Assert.That(plot.Axes.Right.Max, Is.EqualTo(707).Within(1e-6));
        }
        else Assert.That(plot.Axes.Right.Min, Is.LessThan(-7));
    }

    [Test]
    public void Build_WithoutYAxisRange_PadsBeyondTheData()
    {
        // The contrast case: what the pinned range exists to avoid.
        ScottPlot.Plot plot = LineChart.Build(LatencyChart(Series("hit rate", [1, 2, 3], [0, 60, 100])));
        plot.RenderInMemory(1200, 800);
        ScottPlot.AxisLimits limits = plot.Axes.GetLimits();

        Assert.That(limits.Bottom, Is.LessThan(0));
        Assert.That(limits.Top, Is.GreaterThan(100));
    }

    [Test]
    public void Build_ValueOutsideYAxisRange_WidensTheAxisInsteadOfClipping()
    {
        LineChartData data = LatencyChart(Series("utilisation", [1, 2, 3], [0.2, 1.25, 0.5])) with { YAxisRange = (0, 1) };

        ScottPlot.Plot plot = LineChart.Build(data);
        plot.RenderInMemory(1200, 800);
        ScottPlot.AxisLimits limits = plot.Axes.GetLimits();

        Assert.That(limits.Bottom, Is.EqualTo(-0.0125).Within(1e-9).Percent);
        Assert.That(limits.Top, Is.EqualTo(1.2625).Within(1e-9).Percent);
    }

    [Test]
    public void Save_YAxisRange_DrawsBothEndLabels()
    {
        LineChartData data = LatencyChart(Series("hit rate", [1, 2, 3], [3, 60, 97])) with { YAxisRange = (0, 100) };

        ChartFilePaths paths = LineChart.Save(data, Path.Combine(folder, "bounded"));

        AssertChartFiles(paths, folder, 1200, 800, "Latency (ms)");
        IReadOnlyList<string> texts = SvgTexts(paths.SvgPath);
        Assert.That(texts, Does.Contain("0").And.Contain("100"), "both ends of the range are labelled");
        Assert.That(texts, Does.Not.Contain("105").And.Not.Contain("-5").And.Not.Contain("\u2212" + "5"));
    }

    [TestCase(false, true)]
    [TestCase(true, false)]
    public void Save_IntegerX_LabelsWholeNumbersOnly(bool integerX, bool expectHalves)
    {
        // Four windows 0..3: ScottPlot's automatic ticks put labels at 0.5 steps (or finer) unless told otherwise; y ticks are whole hundreds.
        LineChartData data = LatencyChart(Series("a", [0, 1, 2, 3], [0, 1000, 2000, 1000])) with { IntegerX = integerX };

        ChartFilePaths paths = LineChart.Save(data, Path.Combine(folder, $"integer-{integerX}"));

        IReadOnlyList<string> texts = SvgTexts(paths.SvgPath);
        Assert.That(texts, Does.Contain("0").And.Contain("3"));
        Assert.That(texts.Any(t => t.EndsWith(".5", StringComparison.Ordinal) || t.EndsWith(".2", StringComparison.Ordinal)), Is.EqualTo(expectHalves));
    }

    [Test]
    public void Save_IntegerXWithLogX_Throws()
    {
        LineChartData data = LatencyChart(Series("a", [1], [1])) with { IntegerX = true, LogX = true };

        ArgumentException error = Assert.Throws<ArgumentException>(() => LineChart.Save(data, Path.Combine(folder, "x")))!;

        Assert.That(error.Message, Does.Contain("IntegerX"));
    }

    [TestCase(1.0, 1.0)]
    [TestCase(1.0, 0.0)]
    [TestCase(double.NaN, 1.0)]
    public void Save_BadYAxisRange_Throws(double low, double high)
    {
        LineChartData data = LatencyChart(Series("a", [1], [1])) with { YAxisRange = (low, high) };

        ArgumentException error = Assert.Throws<ArgumentException>(() => LineChart.Save(data, Path.Combine(folder, "x")))!;

        Assert.That(error.Message, Does.Contain("YAxisRange"));
    }

    [Test]
    public void Save_YAxisRangeWithLogY_Throws()
    {
        LineChartData data = LatencyChart(Series("a", [1], [1])) with { YAxisRange = (0, 1), LogY = true };

        ArgumentException error = Assert.Throws<ArgumentException>(() => LineChart.Save(data, Path.Combine(folder, "x")))!;

        Assert.That(error.Message, Does.Contain("LogY"));
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
