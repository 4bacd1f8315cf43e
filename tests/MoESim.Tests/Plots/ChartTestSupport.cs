using MoESim.Plots;
using SkiaSharp;

namespace MoESim.Tests.Plots;

/// <summary>Temp folders, sample data and output checks shared by the chart tests.</summary>
internal static class ChartTestSupport
{
    public static string NewTempFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "moesim-plots-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    public static void DeleteFolder(string folder)
    {
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
    }

    /// <summary>
    /// Checks both files exist and are non-empty, no temp file was left behind, the SVG contains
    /// every expected text (proof that text is drawn at all), and the PNG decodes to the requested
    /// size with more than one colour.
    /// </summary>
    public static void AssertChartFiles(ChartFilePaths paths, string folder, int widthPx, int heightPx, params string[] texts)
    {
        Assert.That(new FileInfo(paths.PngPath).Length, Is.GreaterThan(0), "PNG is empty");
        Assert.That(new FileInfo(paths.SvgPath).Length, Is.GreaterThan(0), "SVG is empty");
        Assert.That(Directory.GetFiles(folder), Has.Length.EqualTo(2), "only the PNG and SVG may remain");
        Assert.That(Directory.GetFiles(folder, "*.tmp"), Is.Empty);

        string svg = File.ReadAllText(paths.SvgPath);
        foreach (string text in texts)
            Assert.That(svg, Does.Contain(text), $"SVG lacks the text '{text}'");

        using SKBitmap? bitmap = SKBitmap.Decode(paths.PngPath);
        Assert.That(bitmap, Is.Not.Null, "PNG does not decode");
        Assert.That(bitmap!.Width, Is.EqualTo(widthPx));
        Assert.That(bitmap.Height, Is.EqualTo(heightPx));
        HashSet<SKColor> colours = [];
        for (int y = 0; y < bitmap.Height; y += 7)
        {
            for (int x = 0; x < bitmap.Width; x += 7)
                colours.Add(bitmap.GetPixel(x, y));
        }

        Assert.That(colours, Has.Count.GreaterThan(5), "PNG is (nearly) a single colour");
    }

    public static LineSeries Series(string name, double[] xs, double[] ys) => new() { Name = name, Xs = xs, Ys = ys };

    public static LineChartData LatencyChart(params LineSeries[] series) => new()
    {
        Title = "Latency over time",
        XAxisLabel = "Simulated time (s)",
        YAxisLabel = "Latency (ms)",
        Series = series,
    };

    public static RooflineChartData Roofline(params RooflinePoint[] points) => new()
    {
        DeviceName = "H100 SXM",
        ModelName = "Mixtral 8x7B",
        MemoryBandwidthBytesPerSecond = 3.35e12,
        Ceilings =
        [
            new RooflineCeiling { DataTypeName = "bf16", PeakFlopsPerSecond = 989e12 },
            new RooflineCeiling { DataTypeName = "fp8", PeakFlopsPerSecond = 1979e12 },
        ],
        Points = points,
    };

    public static RooflinePoint Point(string series, string kind, double intensity, double flops) => new()
    {
        Series = series,
        OperatorKind = kind,
        ArithmeticIntensityFlopsPerByte = intensity,
        AchievedFlopsPerSecond = flops,
    };
}
