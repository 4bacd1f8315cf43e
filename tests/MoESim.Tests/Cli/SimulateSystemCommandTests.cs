using System.Globalization;
using System.Text.Json;

namespace MoESim.Tests.Cli;

[TestFixture]
[NonParallelizable] // changes the current directory
public class SimulateSystemCommandTests
{
    [Test]
    public void Simulate_on_a_system_writes_expert_parallel_metrics_consistent_with_the_requests()
    {
        var outDir = CliTestSupport.TempDir();
        var (exit, stdout, stderr) = CliTestSupport.Run("simulate", "--system", "systems/dgx-h100", "--max-requests", "20", "--zipf", "1.0", "--out", outDir);
        Assert.That(exit, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("on dgx-h100 (8 GPUs, EP 8, TP 1, contiguous placement)").And.Contain("expert parallel: MoE layer"));
        foreach (var file in new[] { "report.json", "requests.csv", "timeseries.csv", "moe_layers.csv", "device_load.csv", "device_load.png", "device_load.svg", "throughput_over_time.png" })
            Assert.That(File.Exists(Path.Combine(outDir, file)), file);

        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "report.json")));
        var ep = report.RootElement.GetProperty("expert_parallel");
        var pairs = ep.GetProperty("device_token_expert_pairs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.That(pairs, Has.Length.EqualTo(8));
        // Every token processed (each prompt token, and every generated token but the first,
        // which comes out of the prefill pass) meets top-2 experts in each of Mixtral's 32 layers.
        var rows = File.ReadAllLines(Path.Combine(outDir, "requests.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        long tokens = rows.Sum(r => long.Parse(r[2], CultureInfo.InvariantCulture) + long.Parse(r[3], CultureInfo.InvariantCulture) - 1);
        Assert.That(pairs.Sum(), Is.EqualTo(tokens * 2 * 32));
        Assert.That(ep.GetProperty("moe_layer_seconds").GetArrayLength(), Is.EqualTo(32));
        Assert.That(ep.GetProperty("all_to_all_bytes").GetDouble(), Is.GreaterThan(0));
        Assert.That(ep.GetProperty("load_imbalance_max_over_mean").GetDouble(), Is.GreaterThan(1.0));
        Assert.That(report.RootElement.GetProperty("inputs").GetProperty("system").GetString(), Is.EqualTo("dgx-h100"));
    }

    [TestCase("--system", "systems/nowhere", "--system: no such file", TestName = "UnknownSystem")]
    [TestCase("--tensor-parallel", "3", "tensor_parallel: must be at least 1 and divide the system's 8 GPUs, got 3", TestName = "BadTensorParallel")]
    public void Bad_system_options_exit_2_with_a_message(string option, string value, string expected)
    {
        var args = new List<string> { "simulate", "--max-requests", "5", "--no-plots", "--out", CliTestSupport.TempDir(), option, value };
        if (option != "--system") args.AddRange(new[] { "--system", "dgx-h100" });
        var (exit, _, stderr) = CliTestSupport.Run(args.ToArray());
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain(expected));
        Assert.That(stderr, Does.Not.Contain("   at "));
    }

    [Test]
    public void Dense_model_on_a_system_is_an_input_error()
    {
        var (exit, _, stderr) = CliTestSupport.Run("simulate", "--model", "codellama-34b", "--system", "dgx-h100", "--max-requests", "5", "--no-plots", "--out", CliTestSupport.TempDir());
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("needs an MoE model"));
    }
}
