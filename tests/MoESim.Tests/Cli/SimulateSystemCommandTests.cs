using System.Globalization;
using System.Text.Json;
using MoESim.Parallelism;

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

    [Test]
    public void Per_device_dispatch_sends_fewer_bytes_than_per_expert_and_is_echoed()
    {
        // Qwen3-30B-A3B on one node: 128 experts, 16 per GPU (contiguous), top-8. A token whose
        // experts share a GPU sends it one copy per-device and one per expert per-expert.
        double Bytes(string dispatch, out string echoed)
        {
            var dir = CliTestSupport.TempDir();
            var (exit, _, stderr) = CliTestSupport.Run("simulate", "--system", "dgx-h100", "--model", "qwen3-30b-a3b", "--dispatch", dispatch,
                "--poisson-rate", "100", "--poisson-requests", "4", "--prompt-tokens", "64", "--output-tokens", "4", "--zipf", "1.0", "--no-plots", "--out", dir);
            Assert.That(exit, Is.EqualTo(0), stderr);
            using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "report.json")));
            echoed = report.RootElement.GetProperty("inputs").GetProperty("dispatch").GetString()!;
            return report.RootElement.GetProperty("expert_parallel").GetProperty("all_to_all_bytes").GetDouble();
        }

        double perDevice = Bytes("per-device", out var a), perExpert = Bytes("per-expert", out var b);
        Assert.That((a, b), Is.EqualTo(("PerDevice", "PerExpert")));
        Assert.That(perDevice, Is.LessThan(perExpert));
        // At least an eighth survives: a token's 8 experts are at most 8 copies to one GPU.
        Assert.That(perDevice, Is.GreaterThanOrEqualTo(perExpert / 8));
    }

    [Test]
    public void Per_device_dispatch_on_two_nodes_completes_and_moves_fewer_bytes()
    {
        // Rail legs (fabric once per machine, NVLink forward, gather before the way back) on
        // 16 GPUs: the run must finish every request and send fewer bytes than per-expert copies.
        (double Bytes, int Finished) Run(string dispatch)
        {
            var dir = CliTestSupport.TempDir();
            var (exit, _, stderr) = CliTestSupport.Run("simulate", "--system", "dgx-h100-2node", "--model", "qwen3-30b-a3b", "--dispatch", dispatch,
                "--poisson-rate", "100", "--poisson-requests", "4", "--prompt-tokens", "32", "--output-tokens", "3", "--no-plots", "--out", dir);
            Assert.That(exit, Is.EqualTo(0), stderr);
            using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "report.json")));
            return (report.RootElement.GetProperty("expert_parallel").GetProperty("all_to_all_bytes").GetDouble(),
                File.ReadAllLines(Path.Combine(dir, "requests.csv")).Length - 1);
        }

        var perDevice = Run("per-device");
        var perExpert = Run("per-expert");
        Assert.That((perDevice.Finished, perExpert.Finished), Is.EqualTo((4, 4)));
        Assert.That(perDevice.Bytes, Is.LessThan(perExpert.Bytes));
    }

    [Test]
    public void A_placement_file_decides_which_gpus_serve_experts()
    {
        // Mixtral's 8 experts packed two per GPU on GPUs 0-3: GPUs 4-7 must see no token-expert pairs.
        var dir = CliTestSupport.TempDir();
        var packed = Enumerable.Range(0, 32).Select(_ => Enumerable.Range(0, 8).Select(e => (IReadOnlyList<ExpertReplica>)new[] { new ExpertReplica(e / 2, 1.0) }).ToArray()).ToArray();
        var yaml = Path.Combine(dir, "packed.yaml");
        ExpertPlacementYamlWriter.Save(yaml, new ExpertPlacement(8, packed, "manual"));
        var (exit, stdout, stderr) = CliTestSupport.Run("simulate", "--system", "dgx-h100", "--model", "mixtral-8x7b", "--placement", yaml,
            "--poisson-rate", "100", "--poisson-requests", "4", "--prompt-tokens", "64", "--output-tokens", "4", "--no-plots", "--out", dir);
        Assert.That(exit, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("manual placement"));
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "report.json")));
        var inputs = report.RootElement.GetProperty("inputs");
        Assert.That(inputs.GetProperty("placement").GetString(), Is.EqualTo("manual"));
        Assert.That(inputs.GetProperty("placement_file").GetString(), Is.EqualTo(yaml));
        var pairs = report.RootElement.GetProperty("expert_parallel").GetProperty("device_token_expert_pairs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.That(pairs.Take(4), Is.All.GreaterThan(0));
        Assert.That(pairs.Skip(4), Is.All.EqualTo(0));
        // 4 requests x (64 prompt + 4 output - 1) tokens x top-2 x 32 layers.
        Assert.That(pairs.Sum(), Is.EqualTo(4 * 67 * 2 * 32));
    }

    [Test]
    public void A_placement_for_another_system_exits_2()
    {
        var dir = CliTestSupport.TempDir();
        var yaml = Path.Combine(dir, "four-gpus.yaml");
        ExpertPlacementYamlWriter.Save(yaml, ExpertPlacement.Contiguous(32, 8, 4));
        var (exit, _, stderr) = CliTestSupport.Run("simulate", "--system", "dgx-h100", "--model", "mixtral-8x7b", "--placement", yaml, "--no-plots", "--out", dir);
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("four-gpus.yaml:").And.Contain("num_devices: the placement is for 4 devices but the system has 8"));
        Assert.That(stderr, Does.Not.Contain("   at "));
    }

    [Test]
    public void A_placement_without_a_system_exits_2()
    {
        var (exit, _, stderr) = CliTestSupport.Run("simulate", "--placement", "p.yaml", "--max-requests", "2", "--no-plots", "--out", CliTestSupport.TempDir());
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("--placement: places experts on a multi-GPU system: add --system"));
    }

    [TestCase("--system", "systems/nowhere", "--system: no such file", TestName = "UnknownSystem")]
    [TestCase("--tensor-parallel", "3", "tensor_parallel: must be at least 1 and divide the system's 8 GPUs, got 3", TestName = "BadTensorParallel")]
    [TestCase("--dispatch", "per-token", "--dispatch: expected per-device or per-expert", TestName = "BadDispatch")]
    [TestCase("--all-to-all", "ring", "--all-to-all: expected rail or direct", TestName = "BadAllToAll")]
    [TestCase("--collective-model", "packets", "--collective-model: expected flows, aggregated or auto", TestName = "BadCollectiveModel")]
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
    public void The_aggregated_collective_model_times_the_same_bytes_with_far_fewer_events()
    {
        // Mixtral on one DGX node, 20 requests: the same routing and bytes either way; aggregated
        // all-to-alls end with one event each instead of a flow per GPU pair, within the 3% the
        // aggregated model keeps on MoE traffic (AggregatedAllToAllTests).
        (double Seconds, double Bytes, double Events, string Echo) Run(string model)
        {
            var dir = CliTestSupport.TempDir();
            var (exit, _, stderr) = CliTestSupport.Run("simulate", "--system", "dgx-h100", "--model", "mixtral-8x7b", "--max-requests", "20",
                "--collective-model", model, "--no-plots", "--out", dir);
            Assert.That(exit, Is.EqualTo(0), stderr);
            using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "report.json")));
            var ep = report.RootElement.GetProperty("expert_parallel");
            return (ep.GetProperty("all_to_all_seconds").GetDouble(), ep.GetProperty("all_to_all_bytes").GetDouble(),
                report.RootElement.GetProperty("metrics").GetProperty("events_processed").GetDouble(),
                report.RootElement.GetProperty("inputs").GetProperty("collective_model").GetString()!);
        }
        var flows = Run("flows");
        var aggregated = Run("aggregated");
        var auto = Run("auto");
        Assert.That((flows.Echo, aggregated.Echo), Is.EqualTo(("Flows", "Aggregated")));
        Assert.That(aggregated.Bytes, Is.EqualTo(flows.Bytes));
        Assert.That(aggregated.Seconds, Is.EqualTo(flows.Seconds).Within(3).Percent);
        Assert.That(aggregated.Events, Is.LessThan(flows.Events / 2)); // compute tasks (one per GPU per phase) remain
        // 8 GPUs: auto keeps flows.
        Assert.That((auto.Seconds, auto.Events), Is.EqualTo((flows.Seconds, flows.Events)));
    }

    [Test]
    public void Dense_model_with_a_placement_file_is_an_input_error()
    {
        // A dense model runs DP x TP on a system (TensorParallelDenseTests); it has no experts to place.
        var placement = Path.Combine(CliTestSupport.TempDir(), "p.yaml");
        File.WriteAllText(placement, "strategy: round-robin\n");
        var (exit, _, stderr) = CliTestSupport.Run("simulate", "--model", "codellama-34b", "--system", "dgx-h100", "--placement", placement, "--max-requests", "5", "--no-plots", "--out", CliTestSupport.TempDir());
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("dense").And.Contain("no experts to place"));
    }
}
