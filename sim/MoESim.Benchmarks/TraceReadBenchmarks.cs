using BenchmarkDotNet.Attributes;
using MoESim.Traces;
using MoESim.Traces.Formats;

namespace MoESim.Benchmarks;

/// <summary>
/// Streaming read throughput of expert-selection traces (issue 3: the stats pass must reach
/// ≥ 500 MB/s over a binary trace on one core). GlobalSetup writes a ~300 MB binary trace
/// (OLMoE shape: 16 MoE layers × 64 experts, top-8; 1 byte per selection) and a ~40 MB JSONL
/// trace into a temp folder. Throughput = file bytes / mean time; the sizes are printed at
/// setup. Run with <c>dotnet run -c Release --project sim/MoESim.Benchmarks -- --filter *TraceRead* --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class TraceReadBenchmarks
{
    private static readonly TraceShape Shape = new() { NumMoeLayers = 16, NumExperts = 64, TopK = 8, ModelName = "olmoe-shape" };
    private string _dir = "";
    private string _binary = "";
    private string _jsonl = "";

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "moesim-trace-bench-" + Environment.ProcessId);
        Directory.CreateDirectory(_dir);
        _binary = Path.Combine(_dir, "bench.moetrace");
        _jsonl = Path.Combine(_dir, "bench.jsonl");
        // 3,000 requests × (512 prompt + 256 decode tokens) × 16 layers × top-8 = 295 M selections ≈ 300 MB.
        TraceBenchmarkFiles.Write(_binary, Shape, 3000, 512, 256);
        TraceBenchmarkFiles.Write(_jsonl, Shape, 60, 512, 256);
        Console.WriteLine($"// binary trace: {new FileInfo(_binary).Length} bytes; JSONL trace: {new FileInfo(_jsonl).Length} bytes");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    /// <summary>Reads every step of the binary trace (CRC, decode, full validation); returns selections read.</summary>
    [Benchmark(Description = "binary .moetrace read (~300 MB)")]
    public long BinaryRead() => ReadAll(_binary);

    /// <summary>Reads every step of the binary trace without widening ids (what <c>trace stats</c> does); returns selections read.</summary>
    [Benchmark(Description = "binary .moetrace packed read (~300 MB)")]
    public long BinaryReadPacked() => ReadAllPacked(_binary);

    /// <summary>Every step of a binary trace through <see cref="MoeTraceReader.TryReadPacked"/>; returns selections read.</summary>
    internal static long ReadAllPacked(string path)
    {
        using var reader = new MoeTraceReader(path);
        long selections = 0;
        while (reader.TryReadPacked(out var step)) selections += step.Selections;
        return selections;
    }

    /// <summary>Reads every step of the JSONL trace; returns selections read.</summary>
    [Benchmark(Description = "JSONL read (~40 MB)")]
    public long JsonlRead() => ReadAll(_jsonl);

    private static long ReadAll(string path)
    {
        using var reader = RoutingTraceFiles.OpenReader(path);
        var step = new RoutingStep();
        long selections = 0;
        while (reader.TryRead(step)) selections += step.ExpertIds.Length;
        return selections;
    }
}
