using MoESim.Plots;
using static MoESim.Tests.Plots.ChartTestSupport;

namespace MoESim.Tests.Plots;

[TestFixture]
public sealed class BarChartTests
{
    private string folder = string.Empty;

    [SetUp]
    public void SetUp() => folder = NewTempFolder();

    [TearDown]
    public void TearDown() => DeleteFolder(folder);

    private static BarChartData Load(params BarGroup[] groups) => new()
    {
        Title = "Per-device load",
        CategoryAxisLabel = "Device",
        ValueAxisLabel = "Expert load (tokens/step)",
        Categories = ["gpu0", "gpu1", "gpu2"],
        Groups = groups,
    };

    [Test]
    public void Save_GroupedBars_DrawsLabelsAndLegend()
    {
        BarChartData data = Load(
            new BarGroup { Name = "round-robin", Values = [900, 1500, 600] },
            new BarGroup { Name = "balanced", Values = [1000, 1010, 990] });

        ChartFilePaths paths = BarChart.Save(data, Path.Combine(folder, "bars"));

        AssertChartFiles(paths, folder, 1200, 800, "Device", "Expert load (tokens/step)", "gpu1", "round-robin", "balanced");
    }

    [Test]
    public void Save_ManyCategoriesWithValueLabels_Renders()
    {
        string[] devices = Enumerable.Range(0, 64).Select(i => $"node{i / 8}-gpu{i % 8}").ToArray();
        BarChartData data = Load(new BarGroup { Name = "EP", Values = devices.Select((_, i) => 10.0 + i).ToArray() })
            with { Categories = devices, ShowValueLabels = true };

        ChartFilePaths paths = BarChart.Save(data, Path.Combine(folder, "many"));

        AssertChartFiles(paths, folder, 1200, 800, "node0-gpu0");
    }

    [Test]
    public void Save_WrongValueCount_NamesTheGroup()
    {
        BarChartData data = Load(new BarGroup { Name = "replicated", Values = [1, 2] });

        ArgumentException error = Assert.Throws<ArgumentException>(() => BarChart.Save(data, Path.Combine(folder, "x")))!;

        Assert.That(error.Message, Does.Contain("replicated").And.Contain("3 categories"));
    }

    [Test]
    public void Save_InfiniteValue_NamesTheGroup()
    {
        BarChartData data = Load(new BarGroup { Name = "hot", Values = [1, double.PositiveInfinity, 3] });

        ArgumentException error = Assert.Throws<ArgumentException>(() => BarChart.Save(data, Path.Combine(folder, "x")))!;

        Assert.That(error.Message, Does.Contain("hot"));
    }

    [Test]
    public void Save_NoGroups_Throws()
    {
        Assert.Throws<ArgumentException>(() => BarChart.Save(Load(), Path.Combine(folder, "x")));
    }
}
