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

    /// <summary>
    /// Renders <paramref name="plot"/> and checks its left axis shows a bounded quantity properly:
    /// limits are the range plus LineChart's 1 % margin, every labelled (major) tick lies inside
    /// [low, high], and both ends of the range carry a tick.
    /// </summary>
    public static void AssertLeftAxisBounded(ScottPlot.Plot plot, double low, double high)
    {
        plot.RenderInMemory(1200, 800);
        ScottPlot.AxisLimits limits = plot.Axes.GetLimits();
        double pad = 0.01 * (high - low);
        double eps = 1e-9 * (high - low);
        Assert.That(limits.Bottom, Is.EqualTo(low - pad).Within(eps));
        Assert.That(limits.Top, Is.EqualTo(high + pad).Within(eps));
        double[] labelled = plot.Axes.Left.TickGenerator.Ticks.Where(t => t.IsMajor && !string.IsNullOrEmpty(t.Label)).Select(t => t.Position).ToArray();
        Assert.That(labelled, Is.All.InRange(low - eps, high + eps), "a tick label lies outside the quantity's range");
        Assert.That(labelled.Any(p => Math.Abs(p - low) <= eps) && labelled.Any(p => Math.Abs(p - high) <= eps), Is.True,
            $"both ends ({low}, {high}) should be labelled; labelled ticks: {string.Join(", ", labelled)}");
    }

    /// <summary>The trimmed content of every text element of an SVG file (title, labels, tick labels).</summary>
    public static IReadOnlyList<string> SvgTexts(string svgPath) =>
        System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(svgPath), @"<text[^>]*>(.*?)</text>", System.Text.RegularExpressions.RegexOptions.Singleline)
            .Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value).Trim())
            .ToList();

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
