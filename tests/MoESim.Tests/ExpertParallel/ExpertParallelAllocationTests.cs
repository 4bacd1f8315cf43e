using MoESim.Runs;
using MoESim.Serving.ExpertParallel;
using MoESim.Tests.Serving;
using MoESim.Traces;

namespace MoESim.Tests.ExpertParallel;

/// <summary>Steps reuse their task graph, executor, routing and collective buffers: no allocation per step in steady state.</summary>
[TestFixture]
[NonParallelizable] // measures this thread's allocations
public sealed class ExpertParallelAllocationTests
{
    // The instance reports progress every 256 expert-parallel steps, from inside the loop: each
    // report samples this thread's allocation counter, so a window is 256 steps of serving.
    private sealed class AllocationSampler : IProgress<double>
    {
        public readonly List<long> Samples = new();
        public void Report(double value) => Samples.Add(GC.GetAllocatedBytesForCurrentThread());
    }

    [Test]
    public void A_window_of_256_decode_steps_allocates_almost_nothing()
    {
        // One request on two GPUs: a prefill step, then 6,399 decode steps, each a task graph of
        // two layers' phases with dispatch and combine flows across the switch.
        var requests = new[] { new Request(0, 0, 4, 6400) };
        var config = new ExpertParallelConfig { Serving = new MoESim.Serving.ServingConfig { MaxBatchTokens = 64, MaxSequences = 8, MemoryUtilization = 1.0 } };
        var sampler = new AllocationSampler();
        var r = ExpertParallelRunner.Run(TestModels.TinyMoe(), ExpertParallelServerTests.TwoGpus(), null, new FixedRouter(8, [[0, 5], [4, 1]]), requests, config, sampler);
        Assert.That(r.Steps, Is.EqualTo(6400));
        var windows = sampler.Samples.Zip(sampler.Samples.Skip(1), (a, b) => b - a).Take(24).ToList();
        Assert.That(windows, Has.Count.EqualTo(24));
        // The quietest window (no growth of the step-record list in it, no JIT tier-up): under
        // 1 KB for 256 steps, i.e. nothing allocated per task, flow or event.
        Assert.That(windows.Min(), Is.LessThan(1024), $"bytes per 256-step window: {string.Join(", ", windows)}");
    }
}
