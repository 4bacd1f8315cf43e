using System.Text.RegularExpressions;
using MoESim.Plots;
using SkiaSharp;
using static MoESim.Tests.Plots.ChartTestSupport;

namespace MoESim.Tests.Plots;

/// <summary>
/// Dashed lines in SVG output: drawn as dashes, and without Skia's native
/// "Unsupported path effect in addPaint." warning on stderr.
/// </summary>
[TestFixture]
[NonParallelizable] // redirects the process's stderr descriptor
public sealed class SvgDashTests
{
    private string folder = string.Empty;

    [SetUp]
    public void SetUp()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            Assert.Ignore("captures file descriptor 2 through libc");
        folder = NewTempFolder();
    }

    [TearDown]
    public void TearDown() => DeleteFolder(folder);

    [Test]
    public void Capture_SeesSkiasWarning()
    {
        // Proves the quiet assertions below can fail: this is the very call that used to warn,
        // a filled ellipse drawn with a dash effect left on the paint.
        string stderr = NativeStderr.Capture(() =>
        {
            using MemoryStream memory = new();
            using SKManagedWStream stream = new(memory);
            using SKCanvas canvas = SKSvgCanvas.Create(new SKRect(0, 0, 100, 100), stream);
            using SKPathEffect dash = SKPathEffect.CreateDash([6, 6], 0);
            using SKPaint paint = new() { PathEffect = dash };
            canvas.DrawOval(50, 50, 4, 4, paint);
        });

        Assert.That(stderr, Does.Contain("Unsupported path effect"));
    }

    [Test]
    public void LineChart_DashedRightSeriesWithMarkers_IsQuietAndDashedInSvg()
    {
        double[] rate = [1, 2, 4, 8];
        LineChartData data = LatencyChart(Series("TPOT p50", rate, [12, 13, 15, 20])) with
        {
            RightYAxisLabel = "Throughput (tokens/s)",
            RightSeries = [Series("output tokens/s", rate, [100, 190, 370, 700]), Series("prompt tokens/s", rate, [300, 500, 800, 900])],
            ShowMarkers = true,
        };
        ChartFilePaths paths = null!;

        string stderr = NativeStderr.Capture(() => paths = LineChart.Save(data, Path.Combine(folder, "dashed")));

        Assert.That(stderr, Is.Empty);
        string svg = File.ReadAllText(paths.SvgPath);
        foreach (int series in new[] { 1, 2 })
        {
            string colour = ChartStyle.SeriesColor(series, 3).ToHex();
            // Skia writes a dashed stroke as one filled outline per dash: many subpaths.
            Assert.That(LongestSubpathCount(svg, colour), Is.GreaterThan(10), $"series {series} ({colour}) is not dashed in the SVG");
            Assert.That(Regex.Count(svg, $"<ellipse fill=\"{colour}\""), Is.EqualTo(rate.Length), $"series {series} lost its markers");
        }

        string solid = ChartStyle.SeriesColor(0, 3).ToHex();
        Assert.That(svg, Does.Contain($"stroke=\"{solid}\""), "the left series stays a solid stroke");
    }

    [Test]
    public void LineChart_DashedLeftSeriesAndOpenMarkers_AreQuietAndDrawnAsAsked()
    {
        double[] batch = [1, 2, 4, 8];
        LineChartData data = LatencyChart(
            Series("measured", batch, [1, 2, 3.5, 6]) with { Marker = SeriesMarker.OpenCircle },
            Series("reference", batch, [1, 2, 3.9, 7]) with { Dashed = true }) with { ShowMarkers = true };
        ChartFilePaths paths = null!;

        string stderr = NativeStderr.Capture(() => paths = LineChart.Save(data, Path.Combine(folder, "dashed-left")));

        Assert.That(stderr, Is.Empty);
        string svg = File.ReadAllText(paths.SvgPath);
        string open = ChartStyle.SeriesColor(0, 2).ToHex(), dashed = ChartStyle.SeriesColor(1, 2).ToHex();
        Assert.That(svg, Does.Contain($"stroke=\"{open}\""), "the open-marker series is a solid stroke");
        Assert.That(LongestSubpathCount(svg, open), Is.LessThanOrEqualTo(1), "the open-marker series is not dashed");
        Assert.That(Regex.Count(svg, $"<ellipse fill=\"{open}\""), Is.Zero, "open rings are not filled");
        Assert.That(Regex.Count(svg, $"<ellipse fill=\"none\" stroke=\"{open}\""), Is.EqualTo(batch.Length + 1), "one ring per point and the legend's");
        Assert.That(LongestSubpathCount(svg, dashed), Is.GreaterThan(10), "the reference series is dashed");
        Assert.That(Regex.Count(svg, $"<ellipse fill=\"{dashed}\""), Is.EqualTo(batch.Length), "the dashed series keeps its markers");
    }

    [Test]
    public void RooflineChart_PatternedRoofs_AreQuietAndDashedInSvg()
    {
        RooflineChartData data = Roofline(Point("decode", "experts", 2, 5e12), Point("prefill", "experts", 300, 500e12)) with
        {
            Ceilings =
            [
                new RooflineCeiling { DataTypeName = "fp8", PeakFlopsPerSecond = 1979e12 },
                new RooflineCeiling { DataTypeName = "bf16", PeakFlopsPerSecond = 989e12 },
                new RooflineCeiling { DataTypeName = "tf32", PeakFlopsPerSecond = 495e12 },
                new RooflineCeiling { DataTypeName = "fp32", PeakFlopsPerSecond = 67e12 },
            ],
        };
        ChartFilePaths paths = null!;

        string stderr = NativeStderr.Capture(() => paths = RooflineChart.Save(data, Path.Combine(folder, "roofline")));

        Assert.That(stderr, Is.Empty);
        // The three patterned roofs (dashed, densely dashed, dotted) are drawn dash by dash.
        MatchCollection dashed = Regex.Matches(File.ReadAllText(paths.SvgPath), "<path fill=\"#010101\"[^>]* d=\"([^\"]*)\"");
        Assert.That(dashed.Count(m => m.Groups[1].Value.Count(c => c == 'M') > 10), Is.EqualTo(3));
    }

    private static int LongestSubpathCount(string svg, string fillColour) =>
        Regex.Matches(svg, $"<path fill=\"{fillColour}\"[^>]* d=\"([^\"]*)\"")
            .Select(m => m.Groups[1].Value.Count(c => c == 'M'))
            .DefaultIfEmpty(0)
            .Max();
}
