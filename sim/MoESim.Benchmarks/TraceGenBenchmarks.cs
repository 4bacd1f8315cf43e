using BenchmarkDotNet.Attributes;
using MoESim.Traces;
using MoESim.Traces.Formats;
using MoESim.Traces.Synthetic;

namespace MoESim.Benchmarks;

/// <summary>
/// Speed of <c>trace gen</c> (issue 3, item 7; target ≥ 50 million expert selections/s, about
/// 20 ns per selection including the .moetrace). DeepSeek-V3 shape (58 MoE layers, 256 experts,
/// top-8), 100 requests of 512 prompt + 128 output tokens: 29.7 M selections per invocation, so
/// router set-up (timed alone in <see cref="RouterSetUp"/>) is included but small. Results are per
/// selection (OperationsPerInvoke). Unlike <see cref="TraceBenchmarks"/> there is no 1 GB trace
/// to write first: run with <c>--filter *TraceGenBenchmarks*</c>.
/// </summary>
[MemoryDiagnoser]
public class TraceGenBenchmarks
{
    private const int Requests = 100, Prompt = 512, Output = 128;
    private const int Selections = Requests * (Prompt + Output - 1) * 58 * 8;

    private TraceGeneratorConfig _memoryless = null!;
    private TraceGeneratorConfig _full = null!;
    private Request[] _requests = [];
    private string _path = "";

    [GlobalSetup]
    public void Setup()
    {
        _requests = Enumerable.Range(0, Requests).Select(i => new Request(i, i, Prompt, Output)).ToArray();
        _memoryless = Config(new RoutingPhaseParameters { ZipfExponent = 1.0 });
        _full = Config(new RoutingPhaseParameters { ZipfExponent = 1.0, Locality = 0.2, Affinity = 0.5 });
        _path = Path.Combine(Path.GetTempPath(), $"moesim-genbench-{Environment.ProcessId}.moetrace");
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    private static TraceGeneratorConfig Config(RoutingPhaseParameters p) => new()
    {
        NumMoeLayers = 58, NumExperts = 256, TopK = 8, Seed = 1, ModelName = "deepseek-v3", Prefill = p, Decode = p,
    };

    [Benchmark(Description = "gen, Zipf only, no output (per selection)", OperationsPerInvoke = Selections)]
    public long Memoryless() => SyntheticTraceGenerator.Generate(_memoryless, _requests, NullTraceWriter.Instance);

    [Benchmark(Description = "gen, Zipf + locality 0.2 + affinity 0.5, no output (per selection)", OperationsPerInvoke = Selections)]
    public long Full() => SyntheticTraceGenerator.Generate(_full, _requests, NullTraceWriter.Instance);

    [Benchmark(Description = "gen, Zipf only, to .moetrace (per selection)", OperationsPerInvoke = Selections)]
    public long MemorylessToFile() => ToFile(_memoryless);

    [Benchmark(Description = "gen, Zipf + locality + affinity, to .moetrace (per selection)", OperationsPerInvoke = Selections)]
    public long FullToFile() => ToFile(_full);

    [Benchmark(Description = "router set-up (popularity tables, successor sets)")]
    public object RouterSetUp() => new SyntheticTokenRouter(_full);

    private long ToFile(TraceGeneratorConfig config)
    {
        using var writer = RoutingTraceFiles.CreateWriter(_path, config.Shape);
        var selections = SyntheticTraceGenerator.Generate(config, _requests, writer);
        writer.Complete();
        return selections;
    }

    /// <summary>Discards every step (generation cost alone).</summary>
    private sealed class NullTraceWriter : IRoutingTraceWriter
    {
        public static readonly NullTraceWriter Instance = new();
        public void Write(RoutingStep step) { }
        public void Complete() { }
        public void Dispose() { }
    }
}
