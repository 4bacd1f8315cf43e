using BenchmarkDotNet.Attributes;
using MoESim.Serving;
using MoESim.Traces;

namespace MoESim.Benchmarks;

/// <summary>
/// <c>simulate</c> with trace replay against the synthetic router (issue 3 target: replay adds
/// under 20%): Mixtral-8x7B fp8 on an H100 serving the shipped 1,000 Azure conversation
/// requests. The replayed trace (written at setup, Mixtral shape 32 × 8, top-2) has 200
/// requests of 2,000 prompt and 500 decode tokens (32 M selections, ~32 MB), so every simulated
/// token finds trace routing. Three replay cases: the index pass on every run (no index file),
/// a first run (index pass, then the <c>.replay-index</c> file saved in the background) and a
/// later run that loads the saved index.
/// </summary>
[MemoryDiagnoser]
public class TraceReplayBenchmarks
{
    private string _root = "";
    private string _dir = "";
    private string _trace = "";

    [GlobalSetup]
    public void Setup()
    {
        _root = RepositoryRoot.Find();
        _dir = Path.Combine(Path.GetTempPath(), "moesim-replay-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(_dir);
        _trace = Path.Combine(_dir, "mixtral.moetrace");
        TraceBenchmarkFiles.Write(_trace, new TraceShape { NumMoeLayers = 32, NumExperts = 8, TopK = 2, ModelName = "mixtral-8x7b" }, 200, 2000, 500);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private SimulationRun Run(string? trace, bool indexFile = true) => SimulationRunner.Run(new SimulationOptions
    {
        ModelPath = Path.Combine(_root, "models", "mixtral-8x7b-fp8.yaml"),
        HardwarePath = Path.Combine(_root, "hardware-profiles", "h100-sxm.yaml"),
        RequestTracePath = Path.Combine(_root, "traces", "requests", "splitwise-conv-1000.csv"),
        RoutingTracePath = trace,
        UseTraceIndexFile = indexFile,
    });

    [Benchmark(Baseline = true, Description = "simulate, synthetic router, 1k conv requests")]
    public double Synthetic() => Run(null).Metrics.OutputTokensPerSecond;

    [Benchmark(Description = "simulate, trace replay, no index file (index pass every run)")]
    public double ReplayNoIndexFile() => Run(_trace, indexFile: false).Metrics.OutputTokensPerSecond;

    /// <summary>Deletes the saved index first (inside the timing: an IterationSetup would run one invocation per iteration, too few for the JIT to tier up).</summary>
    [Benchmark(Description = "simulate, trace replay, first run (index pass + save)")]
    public double ReplayFirstRun()
    {
        File.Delete(_trace + ".replay-index");
        return Run(_trace).Metrics.OutputTokensPerSecond;
    }

    [Benchmark(Description = "simulate, trace replay, saved index (later runs)")]
    public double ReplaySavedIndex() => Run(_trace).Metrics.OutputTokensPerSecond;
}
