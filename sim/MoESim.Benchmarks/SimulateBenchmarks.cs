using BenchmarkDotNet.Attributes;
using MoESim.Serving;
using MoESim.Runs;

namespace MoESim.Benchmarks;

/// <summary>
/// Wall time and allocations of <c>simulate</c> on the first 10,000 requests of the Azure
/// conversation trace (../shared/reference/workloads/splitwise_conv.csv). Targets (issue 2):
/// under 0.5 s and 150 MB peak per run.
/// </summary>
[MemoryDiagnoser]
public class SimulateBenchmarks
{
    private string _root = "";
    private string _trace = "";

    [GlobalSetup]
    public void Setup()
    {
        _root = FindRoot();
        _trace = Path.GetFullPath(Path.Combine(_root, "..", "shared", "reference", "workloads", "splitwise_conv.csv"));
        if (!File.Exists(_trace))
            throw new FileNotFoundException("the Azure conversation trace is expected in ../shared/reference/workloads beside the repository", _trace);
    }

    internal static string FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "MoESim.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("MoESim.sln not found above the working directory");
    }

    private SimulationRun Run(string model, string hardware) => SimulationRunner.Run(new SimulationOptions
    {
        ModelPath = Path.Combine(_root, "models", model + ".yaml"),
        HardwarePath = Path.Combine(_root, "hardware-profiles", hardware + ".yaml"),
        RequestTracePath = _trace,
        MaxRequests = 10_000,
    });

    [Benchmark(Description = "Mixtral-8x7B fp8 on H100, 10k conv requests")]
    public double MixtralOnH100() => Run("mixtral-8x7b-fp8", "h100-sxm").Metrics.OutputTokensPerSecond;

    [Benchmark(Description = "CodeLlama-34B on A100 80GB, 10k conv requests")]
    public double CodeLlamaOnA100() => Run("codellama-34b", "a100-80gb").Metrics.OutputTokensPerSecond;
}
