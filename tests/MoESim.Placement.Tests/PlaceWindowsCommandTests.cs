using System.Globalization;
using MoESim.Cli;
using MoESim.Cost;
using MoESim.Models;
using MoESim.Tests.Cli;

namespace MoESim.Placement.Tests;

[TestFixture]
[NonParallelizable]
public class PlaceWindowsCommandTests
{
    private static readonly string[] Base =
    [
        "place", "--trace", "synthetic", "--system", "dgx-h100", "--model", "mixtral-8x7b", "--synthetic-requests", "32",
        "--strategy", "greedy", "--replicas", "8", "--time-limit", "0.5", "--sim-requests", "0",
    ];

    [Test]
    public void Windows_WritesTableAndPlot_MigratedBytesAreCopiesTimesExpertWeights()
    {
        var dir = CliTestSupport.TempDir();
        var (exit, stdout, stderr) = CliTestSupport.Run([.. Base, "--windows", "3", "--steps-per-window", "500", "--out", dir]);
        Assert.That(exit, Is.EqualTo(0), stderr);
        // 32 requests x 4 steps, the last 8 requests held out: 32 scored steps in windows of 10, 11, 11.
        Assert.That(stdout, Does.Contain("Re-placement with greedy over 3 windows of the scored part (32 trace steps in file order, 10-11 per window)"));
        Assert.That(stdout, Does.Contain("amortised over 500 serving steps per window"));
        Assert.That(File.Exists(Path.Combine(dir, "windows.png")) && new FileInfo(Path.Combine(dir, "windows.png")).Length > 10_000);
        var lines = File.ReadAllLines(Path.Combine(dir, "windows.csv"));
        Assert.That(lines, Has.Length.EqualTo(4));
        var header = lines[0].Split(',');
        double Cell(int window, string column) => double.Parse(lines[window + 1].Split(',')[Array.IndexOf(header, column)], CultureInfo.InvariantCulture);
        Assert.That(new[] { 0, 1, 2 }.Select(w => Cell(w, "trace_steps")), Is.EqualTo(new[] { 10.0, 11, 11 }));
        Assert.That(Cell(0, "copies_moved"), Is.Zero);
        Assert.That(Cell(0, "replaced_moe_ms_per_step"), Is.EqualTo(Cell(0, "static_moe_ms_per_step")));
        // Mixtral's expert: 3 x 4096 x 14336 bf16 weights = 352,321,536 bytes, from the model file the command reads.
        var expertBytes = new ModelWork(ModelLoader.Load(Path.Combine(CliTestSupport.RepositoryRoot, "models", "mixtral-8x7b.yaml"))).ExpertWeightBytes;
        Assert.That(expertBytes, Is.EqualTo(3.0 * 4096 * 14336 * 2));
        foreach (var w in new[] { 1, 2 })
        {
            Assert.That(Cell(w, "copies_moved"), Is.GreaterThan(0), $"window {w}");
            Assert.That(Cell(w, "migrated_gb"), Is.EqualTo(Cell(w, "copies_moved") * expertBytes / 1e9).Within(0.0006), $"window {w}");
            Assert.That(Cell(w, "replaced_amortised_ms_per_step"), Is.EqualTo(Cell(w, "replaced_moe_ms_per_step") + Cell(w, "migration_s") * 1e3 / 500).Within(0.0002), $"window {w}");
        }
        Directory.Delete(dir, recursive: true);
    }

    [Test]
    public void PlotSeriesName_UnderAGermanCulture_PrintsADecimalPoint()
    {
        var rows = PlacementWindowRowTests.TwoWindows(servingSteps: 2.5);
        var chart = PlacementFixtures.UnderCulture("de-DE", () => PlaceWindows.ChartData(rows, 2.5, "greedy", "test"));
        Assert.That(chart.Series.Select(s => s.Name), Does.Contain("re-placed + migration / 2.5 steps"));
    }

    [TestCase("--windows: must be at least 2", "--windows", "1")]
    [TestCase("--windows: 1000 windows need at least 1000 steps, but the scored part (the last 8 of 32 requests) has 32", "--windows", "1000")]
    [TestCase("--steps-per-window: only applies with --windows N", "--steps-per-window", "100")]
    [TestCase("--steps-per-window: must be greater than 0, got 0", "--windows", "2", "--steps-per-window", "0")]
    [TestCase("--window-order: expected file or iteration", "--windows", "2", "--window-order", "random")]
    public void BadWindowOptions_ExitWithCode2AndAClearMessage(string expected, params string[] options)
    {
        var (exit, _, stderr) = CliTestSupport.Run([.. Base, .. options, "--no-plots", "--out", CliTestSupport.TempDir()]);
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain(expected));
        Assert.That(stderr, Does.Not.Contain("   at "));
    }
}
