using MoESim.Cost;
using MoESim.Engine;
using MoESim.Platforms;
using MoESim.Serving;
using MoESim.Tests.ExpertParallel;
using MoESim.Traces;
using static MoESim.Tests.Serving.TestModels;

namespace MoESim.Tests.Serving;

/// <summary>Pipeline parallelism: stages of layers on devices, micro-batches flowing through them, as a task graph per step.</summary>
[TestFixture]
public class PipelineParallelTests
{
    private static ServingConfig Config() => new() { MaxBatchTokens = 64, MaxSequences = 8, MemoryUtilization = 1.0 };

    private static double StepMilliseconds(int microBatches)
    {
        // TinyDense (2 layers, h = 4, fp32: 16 B of activations per token) on two compute-bound
        // GPUs (1e6 FLOP/s) joined through a switch by fast links (0.25 ms latency per link).
        var platform = Platform.ForSystem(ExpertParallelServerTests.TwoGpus(bytesPerSecond: 1e12, latencySeconds: 0.25e-3), new Simulator());
        var time = platform.Devices.Select(d => (IOperatorTimeModel)new RooflineTimeModel(d.Profile)).ToList();
        var requests = new[] { new Request(0, 0, 4, 1), new Request(1, 0, 4, 1) };
        var result = ServingInstances.PipelineParallel(new ModelWork(TinyDense()), platform, time, null, requests, Config(), microBatches).Run();
        Assert.That(result.Iterations, Has.Count.EqualTo(1));
        Assert.That(result.Requests.Select(r => r.TtftSeconds).Distinct().Count(), Is.EqualTo(1));
        return result.Requests[0].TtftSeconds * 1e3;
    }

    [Test]
    public void Two_micro_batches_fill_and_drain_a_two_stage_pipeline_by_hand()
    {
        // One prefill step of two 4-token prompts. FLOPs (SingleDeviceServerTests): per layer
        // 320 T + 16 P, LM head 128 O. Micro-batch = one prompt: T = 4, P = 10, O = 1:
        //   stage 0 (layer 0) 1.44 ms; stage 1 (layer 1 + LM head) 1.44 + 0.128 = 1.568 ms;
        //   activations 64 B over two links: 0.5 ms (bytes at 1 TB/s add 64 ps).
        // mb0: stage 0 0-1.44, transfer -1.94, stage 1 1.94-3.508; mb1: stage 0 1.44-2.88,
        // transfer -3.38, stage 1 waits for the unit: 3.508-5.076. Step 5.076 ms.
        Assert.That(StepMilliseconds(2), Is.EqualTo(5.076).Within(1e-5).Percent);
        // One micro-batch: stage 0 2.88 ms (T = 8, P = 20), 0.5 ms transfer, stage 1 2.88 +
        // 0.256 ms: 6.516 ms = the single-GPU pass (6.016 ms) plus the hop.
        Assert.That(StepMilliseconds(1), Is.EqualTo(6.516).Within(1e-5).Percent);
    }

    [Test]
    public void Layers_split_into_contiguous_stages_and_a_stage_without_layers_is_an_input_error()
    {
        var platform = Platform.ForSystem(ExpertParallelServerTests.TwoGpus(), new Simulator());
        var time = platform.Devices.Select(d => (IOperatorTimeModel)new RooflineTimeModel(d.Profile)).ToList();
        var planner = new MoESim.Serving.Steps.PipelineParallelPlanner(new ModelWork(TinyDense()), platform, time, null, 2);
        Assert.That(planner.StageFirstLayers, Is.EqualTo(new[] { 0, 1, 2 }));
        var oneLayer = TinyDense() with { NumLayers = 1 };
        Assert.Throws<MoESim.Config.InputException>(() => new MoESim.Serving.Steps.PipelineParallelPlanner(new ModelWork(oneLayer), platform, time, null, 2));
    }
}
