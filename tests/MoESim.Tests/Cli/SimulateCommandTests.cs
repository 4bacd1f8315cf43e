using System.Text.Json;

namespace MoESim.Tests.Cli;

[TestFixture]
[NonParallelizable] // changes the current directory
public class SimulateCommandTests
{
    [Test]
    public void Simulate_WritesReportCsvAndPlots_WithConsistentMetrics()
    {
        var outDir = CliTestSupport.TempDir();
        var (exit, stdout, stderr) = CliTestSupport.Run("simulate", "--max-requests", "40", "--out", outDir, "--timeline");
        Assert.That(exit, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("TTFT").And.Contain("output tokens/s"));
        foreach (var file in new[] { "report.json", "requests.csv", "timeseries.csv", "timeline.json", "throughput_over_time.png", "throughput_over_time.svg", "latency_over_time.png", "utilisation_over_time.png" })
            Assert.That(File.Exists(Path.Combine(outDir, file)), file);
        Assert.That(Directory.GetFiles(outDir, "*.tmp"), Is.Empty, "no temp files left");

        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")));
        var metrics = report.RootElement.GetProperty("metrics");
        Assert.That(metrics.GetProperty("requests").GetInt32(), Is.EqualTo(40));
        Assert.That(report.RootElement.GetProperty("inputs").GetProperty("seed").GetString(), Is.EqualTo("42"));
        // Throughput must equal the output tokens in requests.csv over the makespan.
        var rows = File.ReadAllLines(Path.Combine(outDir, "requests.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.That(rows, Has.Count.EqualTo(40));
        var outputTokens = rows.Sum(r => int.Parse(r[3], System.Globalization.CultureInfo.InvariantCulture));
        var makespan = metrics.GetProperty("makespan_s").GetDouble();
        Assert.That(metrics.GetProperty("output_tokens_per_s").GetDouble(), Is.EqualTo(outputTokens / makespan).Within(1e-9).Percent);
        using var timeline = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "timeline.json")));
        Assert.That(timeline.RootElement.GetProperty("traceEvents").GetArrayLength(), Is.GreaterThan(10));
    }

    [Test]
    public void Simulate_SameSeedTwice_GivesIdenticalReports()
    {
        var a = CliTestSupport.TempDir();
        var b = CliTestSupport.TempDir();
        Assert.That(CliTestSupport.Run("simulate", "--max-requests", "30", "--zipf", "1.0", "--out", a, "--no-plots").Exit, Is.EqualTo(0));
        Assert.That(CliTestSupport.Run("simulate", "--max-requests", "30", "--zipf", "1.0", "--out", b, "--no-plots").Exit, Is.EqualTo(0));
        Assert.That(File.ReadAllText(Path.Combine(b, "requests.csv")), Is.EqualTo(File.ReadAllText(Path.Combine(a, "requests.csv"))));
        var c = CliTestSupport.TempDir();
        Assert.That(CliTestSupport.Run("simulate", "--max-requests", "30", "--zipf", "1.0", "--seed", "7", "--out", c, "--no-plots").Exit, Is.EqualTo(0));
        Assert.That(File.ReadAllText(Path.Combine(c, "requests.csv")), Is.Not.EqualTo(File.ReadAllText(Path.Combine(a, "requests.csv"))));
    }

    [Test]
    public void Simulate_DenseModelOnA100_Runs()
    {
        var outDir = CliTestSupport.TempDir();
        var (exit, stdout, stderr) = CliTestSupport.Run("simulate", "--model", "codellama-34b", "--hardware", "a100-80gb", "--poisson-rate", "2",
            "--poisson-requests", "20", "--out", outDir, "--no-plots");
        Assert.That(exit, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("codellama-34b").And.Contain("none (dense model)"));
    }

    [Test]
    public void Simulate_ModelThatDoesNotFit_SaysByHowMuch()
    {
        // Mixtral in bf16 is 93.4 GB of weights; 90% of an H100's 79.6 GiB is 76.9 GB.
        var (exit, _, stderr) = CliTestSupport.Run("simulate", "--model", "mixtral-8x7b", "--hardware", "h100-sxm", "--max-requests", "5", "--out", CliTestSupport.TempDir());
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("does not fit on h100-sxm").And.Contain("short by 16.5 GB"));
        Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
    }
}
