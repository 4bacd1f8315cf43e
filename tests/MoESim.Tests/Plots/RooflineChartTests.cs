using MoESim.Plots;
using static MoESim.Tests.Plots.ChartTestSupport;

namespace MoESim.Tests.Plots;

[TestFixture]
public sealed class RooflineChartTests
{
    private string folder = string.Empty;

    [SetUp]
    public void SetUp() => folder = NewTempFolder();

    [TearDown]
    public void TearDown() => DeleteFolder(folder);

    [Test]
    public void Save_DrawsRoofsPointsAndLabels()
    {
        RooflineChartData data = Roofline(
            Point("decode b=1", "expert FFN", 1, 2.5e12),
            Point("decode b=1", "attention", 0.9, 2e12),
            Point("decode b=64", "expert FFN", 60, 150e12),
            Point("prefill 2048 tok", "attention", 400, 700e12),
            Point("prefill 2048 tok", "router", 30, 40e12));

        ChartFilePaths paths = RooflineChart.Save(data, Path.Combine(folder, "roofline"));

        AssertChartFiles(
            paths, folder, 1200, 800,
            "Arithmetic intensity (FLOP/byte)", "Attainable performance (TFLOP/s)",
            "bf16 peak 989 TFLOP/s", "fp8 peak 1979 TFLOP/s", "HBM 3.35 TB/s",
            "Mixtral 8x7B", "H100 SXM", "decode b=64", "prefill 2048 tok", "router");
    }

    [Test]
    public void Save_ManySeriesAndKinds_Renders()
    {
        string[] kinds = ["attention", "expert FFN", "router", "dense FFN", "LM head", "all-to-all", "norm", "embedding"];
        List<RooflinePoint> points = [];
        for (int b = 1; b <= 1024; b *= 2)
        {
            foreach (string kind in kinds)
                points.Add(Point($"decode b={b}", kind, b * 0.9, Math.Min(b * 0.9 * 3.35e12, 989e12) * 0.5));
        }

        ChartFilePaths paths = RooflineChart.Save(Roofline([.. points]), Path.Combine(folder, "many"), 1600, 1000);

        AssertChartFiles(paths, folder, 1600, 1000, "decode b=1024", "embedding");
    }

    [Test]
    public void Save_NoPoints_DrawsRoofsOnly()
    {
        ChartFilePaths paths = RooflineChart.Save(Roofline(), Path.Combine(folder, "empty"));

        AssertChartFiles(paths, folder, 1200, 800, "bf16 peak 989 TFLOP/s");
    }

    [TestCase(0.0, 1e12)]
    [TestCase(-1.0, 1e12)]
    [TestCase(1.0, 0.0)]
    [TestCase(double.NaN, 1e12)]
    public void Save_NonPositivePoint_NamesTheSeries(double intensity, double flops)
    {
        RooflineChartData data = Roofline(Point("decode b=8", "router", intensity, flops));

        ArgumentException error = Assert.Throws<ArgumentException>(() => RooflineChart.Save(data, Path.Combine(folder, "x")))!;

        Assert.That(error.Message, Does.Contain("decode b=8").And.Contain("router"));
        Assert.That(Directory.GetFiles(folder), Is.Empty);
    }

    [Test]
    public void Save_NonPositiveCeiling_NamesTheCeiling()
    {
        RooflineChartData data = Roofline() with { Ceilings = [new RooflineCeiling { DataTypeName = "int4", PeakFlopsPerSecond = 0 }] };

        ArgumentException error = Assert.Throws<ArgumentException>(() => RooflineChart.Save(data, Path.Combine(folder, "x")))!;

        Assert.That(error.Message, Does.Contain("int4"));
    }

    [Test]
    public void Save_NoCeiling_Throws()
    {
        Assert.Throws<ArgumentException>(() => RooflineChart.Save(Roofline() with { Ceilings = [] }, Path.Combine(folder, "x")));
    }

    [Test]
    public void Save_ZeroBandwidth_Throws()
    {
        ArgumentException error = Assert.Throws<ArgumentException>(
            () => RooflineChart.Save(Roofline() with { MemoryBandwidthBytesPerSecond = 0 }, Path.Combine(folder, "x")))!;

        Assert.That(error.Message, Does.Contain("MemoryBandwidthBytesPerSecond"));
    }
}
