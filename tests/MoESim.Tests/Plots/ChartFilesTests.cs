using MoESim.Plots;
using ScottPlot;

namespace MoESim.Tests.Plots;

[TestFixture]
public sealed class ChartFilesTests
{
    private string folder = string.Empty;

    [SetUp]
    public void SetUp() => folder = ChartTestSupport.NewTempFolder();

    [TearDown]
    public void TearDown() => ChartTestSupport.DeleteFolder(folder);

    private static Plot SamplePlot()
    {
        Plot plot = new();
        plot.Font.Set(FontCheck.EnsureFontAvailable());
        plot.Add.Scatter(new double[] { 1, 2, 3 }, new double[] { 3, 1, 2 });
        plot.XLabel("Elapsed (s)");
        return plot;
    }

    [Test]
    public void Save_WritesPngAndSvgAtRequestedSize()
    {
        ChartFilePaths paths = ChartFiles.Save(SamplePlot(), Path.Combine(folder, "sample"), 640, 480);

        Assert.That(paths.PngPath, Is.EqualTo(Path.Combine(folder, "sample.png")));
        Assert.That(paths.SvgPath, Is.EqualTo(Path.Combine(folder, "sample.svg")));
        ChartTestSupport.AssertChartFiles(paths, folder, 640, 480, "Elapsed (s)");
    }

    [Test]
    public void Save_OverwritesExistingFilesAndLeavesNoTempFiles()
    {
        string basePath = Path.Combine(folder, "sample");
        File.WriteAllText(basePath + ".png", "old");
        File.WriteAllText(basePath + ".svg", "old");

        ChartFilePaths paths = ChartFiles.Save(SamplePlot(), basePath, 300, 200);

        ChartTestSupport.AssertChartFiles(paths, folder, 300, 200);
    }

    [Test]
    public void Save_CreatesMissingFolder()
    {
        string nested = Path.Combine(folder, "a", "b", "chart");

        ChartFilePaths paths = ChartFiles.Save(SamplePlot(), nested, 300, 200);

        Assert.That(File.Exists(paths.PngPath) && File.Exists(paths.SvgPath), Is.True);
    }

    [Test]
    public void Save_RequiringText_RejectsASilentlyBlankRender()
    {
        // ScottPlot 5.1.59 renders a blank image when an empty legend panel is shown.
        Plot plot = SamplePlot();
        plot.Title("Never drawn");
        plot.ShowLegend(Edge.Right);

        Assert.Throws<InvalidOperationException>(
            () => ChartFiles.Save(plot, Path.Combine(folder, "blank"), 300, 200, requireText: true));
        Assert.That(Directory.GetFiles(folder), Is.Empty);
    }

    [TestCase(0, 100)]
    [TestCase(100, 0)]
    [TestCase(-5, 100)]
    [TestCase(20_000, 100)]
    public void Save_RejectsInvalidSize(int widthPx, int heightPx)
    {
        Assert.Throws<ArgumentOutOfRangeException>(
            () => ChartFiles.Save(SamplePlot(), Path.Combine(folder, "bad"), widthPx, heightPx));
        Assert.That(Directory.GetFiles(folder), Is.Empty);
    }
}
