using MoESim.Runs;
using MoESim.Serving.ExpertParallel;
using MoESim.Tests.Cli;
using MoESim.Tests.Serving;
using MoESim.Traces;

namespace MoESim.Tests.ExpertParallel;

/// <summary>Dense models run tensor-parallel on a system through the same planner (no experts, no router).</summary>
[TestFixture]
public sealed class TensorParallelDenseTests
{
    [Test]
    public void Dense_model_tp2_halves_compute_and_adds_four_ring_all_reduces_by_hand()
    {
        // TinyDense (h = 4, 2 layers, fp32) on two compute-bound GPUs (1e6 FLOP/s): one request,
        // prompt 8, output 1, so one prefill step. On one GPU it takes 6,400 FLOP = 6.4 ms
        // (SingleDeviceServerTests); TP2 splits attention, FFN and LM head evenly: 3.2 ms per GPU.
        // After attention and after the FFN of each layer (4 times) a ring all-reduce of
        // 8 tokens x 4 x 4 B = 128 B per rank: 2 phases of a 64 B chunk, each 2 x 0.25 ms route
        // latency + 64 B / 64 kB/s = 1.5 ms, so 3 ms each and 12 ms in all. TTFT = 15.2 ms.
        var system = ExpertParallelServerTests.TwoGpus(bytesPerSecond: 64e3, latencySeconds: 0.25e-3);
        var r = ExpertParallelRunner.Run(TestModels.TinyDense(), system, null, null, [new Request(0, 0, 8, 1)],
            new ExpertParallelConfig { TensorParallel = 2 });
        Assert.That(r.Steps, Is.EqualTo(1));
        Assert.That(r.TensorParallelSeconds, Is.EqualTo(12e-3).Within(1e-6).Percent);
        Assert.That(r.Serving.Requests[0].TtftSeconds, Is.EqualTo(15.2e-3).Within(1e-6).Percent);
        Assert.That(r.AllToAllBytes, Is.Zero);
        Assert.That(r.MeanMoeLayerSeconds, Is.Zero);
        Assert.That(r.LoadImbalance, Is.EqualTo(1.0));
    }

    [Test]
    [NonParallelizable] // the CLI runs in the repository root
    public void CodeLlama_34b_runs_tp2_on_two_a100s()
    {
        var dir = CliTestSupport.TempDir();
        var (exit, stdout, stderr) = CliTestSupport.Run("simulate", "--model", "codellama-34b", "--system", "systems/a100-80gb-x2", "--tensor-parallel", "2",
            "--max-requests", "20", "--no-plots", "--out", dir);
        Assert.That(exit, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("(2 GPUs, DP 1 x TP 2 (dense model))").And.Contain("tensor parallel: TP collectives"));
        Assert.That(File.Exists(Path.Combine(dir, "report.json")), Is.True);
        Assert.That(File.Exists(Path.Combine(dir, "moe_layers.csv")), Is.False, "a dense model has no MoE layers to report");
    }
}
