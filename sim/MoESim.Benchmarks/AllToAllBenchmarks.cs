using BenchmarkDotNet.Attributes;
using MoESim.Collectives;
using MoESim.Hardware.Topology;
using MoESim.Parallelism;
using MoESim.Serving.ExpertParallel;
using MoESim.Traces;

namespace MoESim.Benchmarks;

/// <summary>
/// Wall time of simulating the dispatch all-to-all of one DeepSeek-V3 decode step on the
/// 4-node DGX H100 cluster (issue 4, item 7; target under 5 ms): 32 GPUs, 256 decode tokens
/// per GPU, top-8 of 256 experts placed contiguously (8 per GPU), hidden size 7168, fp8
/// activations (1 byte) or bf16 (2 bytes) per element: up to 32 × 31 = 992 flows, each a
/// token-expert pair count × 7168 bytes, over NVLink and the InfiniBand fabric (rail-forwarded:
/// 96 fabric flows plus NVLink flows, 544 in all), as flows or aggregated (<see cref="CollectiveModel"/>).
/// Run with <c>dotnet run -c Release --project sim/MoESim.Benchmarks -- --filter *AllToAllBenchmarks* --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class AllToAllBenchmarks
{
    private const int Devices = 32;
    private const int TokensPerDevice = 256;
    private const int Experts = 256;
    private const int TopK = 8;
    private const int HiddenSize = 7168;

    private TopologyNetwork _net = null!;
    private AllToAll _a2a = null!;
    private long[] _bytes = [];

    /// <summary>Activation bytes per element: 1 (fp8) or 2 (bf16).</summary>
    [Params(1, 2)]
    public int ActivationBytes { get; set; }

    /// <summary>Direct per-pair flows, or rail-forwarded (DeepSeek-V3 / DeepEP normal kernels).</summary>
    [Params(AllToAllAlgorithm.Direct, AllToAllAlgorithm.RailForwarded)]
    public AllToAllAlgorithm Algorithm { get; set; }

    /// <summary>Flows in the flow engine, or per-link aggregation in one event.</summary>
    [Params(CollectiveModel.Flows, CollectiveModel.Aggregated)]
    public CollectiveModel Model { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var system = SystemProfileLoader.Load(Path.Combine(SimulateBenchmarks.FindRoot(), "hardware-profiles", "systems", "dgx-h100-4node.yaml"));
        _net = TopologyNetwork.Create(system);
        _a2a = new AllToAll(_net, null, Algorithm, Model);
        // Uniform routing, contiguous placement: the default deployment's dispatch for this batch.
        var router = new SyntheticRouter(new SyntheticRouterConfig { NumMoeLayers = 1, NumExperts = Experts, TopK = TopK, Seed = 42 });
        _bytes = MoeStepRouting.DecodeStepDispatch(router, ExpertPlacement.Contiguous(1, Experts, Devices), TokensPerDevice, (long)HiddenSize * ActivationBytes);
    }

    /// <summary>One dispatch all-to-all, start to last byte.</summary>
    [Benchmark]
    public double DeepSeekV3DecodeDispatch()
    {
        _a2a.Start(_bytes, null);
        _net.Simulator.Run();
        return _a2a.LastSeconds;
    }
}
