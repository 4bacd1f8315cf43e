using MoESim.Plots;
using static MoESim.Tests.Plots.ChartTestSupport;

namespace MoESim.Tests.Plots;

[TestFixture]
public sealed class HeatmapChartTests
{
    private string folder = string.Empty;

    [SetUp]
    public void SetUp() => folder = NewTempFolder();

    [TearDown]
    public void TearDown() => DeleteFolder(folder);

    private static HeatmapChartData Traffic(double[,] values, int rows, int columns) => new()
    {
        Title = "Device-to-device traffic",
        XAxisLabel = "Destination device",
        YAxisLabel = "Source device",
        ColorBarLabel = "Traffic (GB)",
        RowLabels = Enumerable.Range(0, rows).Select(i => $"src{i}").ToArray(),
        ColumnLabels = Enumerable.Range(0, columns).Select(i => $"dst{i}").ToArray(),
        Values = values,
    };

    [Test]
    public void Save_DrawsCellsLabelsAndColourBar()
    {
        double[,] values = { { double.NaN, 12.5, 3 }, { 4, double.NaN, 6 }, { 7, 8, double.NaN } };

        ChartFilePaths paths = HeatmapChart.Save(Traffic(values, 3, 3), Path.Combine(folder, "traffic"));

        AssertChartFiles(paths, folder, 1200, 800, "Destination device", "Source device", "Traffic (GB)", "src2", "dst1", "12.5");
    }

    [Test]
    public void Save_LargeMatrix_Renders()
    {
        double[,] values = new double[32, 64];
        for (int r = 0; r < 32; r++)
        {
            for (int c = 0; c < 64; c++)
                values[r, c] = (r * 7 + c) % 13;
        }

        ChartFilePaths paths = HeatmapChart.Save(Traffic(values, 32, 64), Path.Combine(folder, "large"), 1000, 700);

        AssertChartFiles(paths, folder, 1000, 700, "dst0", "src0");
    }

    [Test]
    public void Save_LabelCountMismatch_Throws()
    {
        HeatmapChartData data = Traffic(new double[2, 3], 2, 3) with { RowLabels = ["only one"] };

        ArgumentException error = Assert.Throws<ArgumentException>(() => HeatmapChart.Save(data, Path.Combine(folder, "x")))!;

        Assert.That(error.Message, Does.Contain("2 rows but 1 row labels"));
    }

    [Test]
    public void Save_EmptyMatrix_Throws()
    {
        Assert.Throws<ArgumentException>(() => HeatmapChart.Save(Traffic(new double[0, 0], 0, 0), Path.Combine(folder, "x")));
    }

    [Test]
    public void Save_InfiniteCell_NamesTheCell()
    {
        double[,] values = { { 1, double.PositiveInfinity } };

        ArgumentException error = Assert.Throws<ArgumentException>(() => HeatmapChart.Save(Traffic(values, 1, 2), Path.Combine(folder, "x")))!;

        Assert.That(error.Message, Does.Contain("src0").And.Contain("dst1"));
    }
}
