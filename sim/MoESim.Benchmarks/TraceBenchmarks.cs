using BenchmarkDotNet.Attributes;
using MoESim.Traces;
using MoESim.Traces.Formats;
using MoESim.Traces.Statistics;
using MoESim.Traces.Synthetic;

namespace MoESim.Benchmarks;

/// <summary>
/// Speed of the synthetic trace generator and of <c>trace stats</c> (issue 3, item 7). Targets:
/// generation ≥ 50 million expert selections/s; statistics ≥ 500 MB/s over a 1 GB binary trace
/// on one core with peak memory &lt; 200 MB. Generation benchmarks report time per selection
/// (OperationsPerInvoke = selections). The statistics benchmark reads a DeepSeek-V3-shaped trace
/// of MOESIM_TRACE_BENCH_MB megabytes (default 1024) written once in setup; MB/s = size / mean.
/// </summary>
[MemoryDiagnoser]
public class TraceBenchmarks
{
    // DeepSeek-V3 shape: 58 MoE layers, 256 experts, top-8 = 464 selections per token.
    private const int Requests = 20, Prompt = 512, Output = 128;
    private const int Selections = Requests * (Prompt + Output - 1) * 58 * 8;

    private TraceGeneratorConfig _memoryless = null!;
    private TraceGeneratorConfig _full = null!;
    private Request[] _requests = [];
    private string _trace = "";

    [GlobalSetup]
    public void Setup()
    {
        _requests = Enumerable.Range(0, Requests).Select(i => new Request(i, i, Prompt, Output)).ToArray();
        _memoryless = Config(new RoutingPhaseParameters { ZipfExponent = 1.0 });
        _full = Config(new RoutingPhaseParameters { ZipfExponent = 1.0, Locality = 0.2, Affinity = 0.5 });
        var megabytes = int.TryParse(Environment.GetEnvironmentVariable("MOESIM_TRACE_BENCH_MB"), out var mb) ? mb : 1024;
        _trace = Path.Combine(Path.GetTempPath(), $"moesim-bench-{megabytes}mb.moetrace");
        if (!File.Exists(_trace))
        {
            // One byte per selection for ≤ 256 experts: megabytes × 1e6 / 464 tokens in 640-token requests.
            var requests = (int)Math.Ceiling(megabytes * 1e6 / 464 / (Prompt + Output - 1));
            var list = Enumerable.Range(0, requests).Select(i => new Request(i, i, Prompt, Output)).ToArray();
            using var writer = RoutingTraceFiles.CreateWriter(_trace, _full.Shape);
            SyntheticTraceGenerator.Generate(_full, list, writer);
            writer.Complete();
        }
        Console.WriteLine($"// trace {_trace}: {new FileInfo(_trace).Length / 1e6:F0} MB");
    }

    private static TraceGeneratorConfig Config(RoutingPhaseParameters p) => new()
    {
        NumMoeLayers = 58, NumExperts = 256, TopK = 8, Seed = 1, ModelName = "deepseek-v3", Prefill = p, Decode = p,
    };

    [Benchmark(Description = "gen, Zipf only (per selection)", OperationsPerInvoke = Selections)]
    public long GenerateMemoryless() => SyntheticTraceGenerator.Generate(_memoryless, _requests, NullWriter.Instance);

    [Benchmark(Description = "gen, Zipf + locality + affinity (per selection)", OperationsPerInvoke = Selections)]
    public long GenerateFull() => SyntheticTraceGenerator.Generate(_full, _requests, NullWriter.Instance);

    [Benchmark(Description = "stats over the benchmark trace, default sample")]
    public long Stats()
    {
        var fraction = Math.Min(1.0, (4L << 20) / (double)new FileInfo(_trace).Length);
        using var reader = RoutingTraceFiles.OpenReader(_trace);
        return TraceStatisticsRunner.Run(reader, new TraceStatisticsOptions { SampleFraction = fraction }).Steps;
    }

    [Benchmark(Description = "read the benchmark trace only (reader floor)")]
    public long ReadOnly()
    {
        using var reader = RoutingTraceFiles.OpenReader(_trace);
        var step = new RoutingStep();
        long steps = 0;
        while (reader.TryRead(step)) steps++;
        return steps;
    }

    [Benchmark(Description = "read the benchmark trace packed (the stats reader floor: CRC, checks, no widening)")]
    public long ReadPacked() => TraceReadBenchmarks.ReadAllPacked(_trace);

    [Benchmark(Description = "stats, selection counts only (no request sampled)")]
    public long StatsCountsOnly()
    {
        using var reader = RoutingTraceFiles.OpenReader(_trace);
        return TraceStatisticsRunner.Run(reader, new TraceStatisticsOptions { SampleFraction = 1e-12 }).Steps;
    }

    private sealed class NullWriter : IRoutingTraceWriter
    {
        public static readonly NullWriter Instance = new();
        public void Write(RoutingStep step) { }
        public void Complete() { }
        public void Dispose() { }
    }
}
