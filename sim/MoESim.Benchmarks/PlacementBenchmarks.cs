using BenchmarkDotNet.Attributes;
using MoESim.Placement;
using MoESim.Traces;

namespace MoESim.Benchmarks;

/// <summary>
/// Placement at DeepSeek-V3 scale: 256 experts × 58 MoE layers on 32 devices (4 nodes of 8),
/// 32 extra copies per layer, from a seeded Zipf-1.2 synthetic trace. Targets (issue 4): greedy
/// under 1 s, ILP within 60 s with its gap stated (the ILP's gap is printed by moesim place).
/// Run: dotnet run -c Release --project sim/MoESim.Benchmarks -- --filter '*Placement*' --job short
/// </summary>
[MemoryDiagnoser]
public class PlacementBenchmarks
{
    private RoutingStatistics _stats = null!;
    private PlacementProblem _problem = null!;

    [GlobalSetup]
    public void Setup()
    {
        var config = new SyntheticRouterConfig { NumMoeLayers = 58, NumExperts = 256, TopK = 8, ZipfExponent = 1.2, Seed = 1 };
        var steps = SyntheticTrace.Generate(config, requests: 128, stepsPerRequest: 2, tokensPerStep: 8);
        _stats = HeldOutSplit.Split(steps, SyntheticTrace.ShapeOf(config), 32, 0).Fit;
        _problem = new PlacementProblem
        {
            // Per-direction bandwidths of hardware-profiles/systems/dgx-h100-4node.yaml (NVLink 450 GB/s, one 400 Gb/s NIC per GPU).
            System = new PlacementSystem { Name = "4 x 8 H100", NumDevices = 32, DevicesPerNode = 8, IntraNodeBytesPerSecond = 450e9, InterNodeBytesPerSecond = 50e9, ExpertMemoryBytesPerDevice = 60e9 },
            // DeepSeek-V3 expert (3 × 7168 × 2048 fp8 weights) on an H100: ~1,979 TFLOP/s fp8, 3.35 TB/s HBM (hardware-profiles/h100-sxm.yaml).
            Time = new ExpertTimeModel(2 * 3 * 7168 * 2048 / 1979e12, 3 * 7168 * 2048 / 3.35e12, 7168 * 2),
            ExpertWeightBytes = 3 * 7168 * 2048,
            ExtraReplicasPerLayer = 32,
        };
    }

    [Benchmark]
    public PlacementResult Greedy() => new GreedyReplicationStrategy().Place(_stats, _problem);

    [Benchmark]
    public PlacementScore Evaluate() => PlacementEvaluator.Evaluate(new RoundRobinStrategy().Place(_stats, _problem).Placement, _stats, _problem);
}
