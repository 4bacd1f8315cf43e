using MoESim.Placement;
using MoESim.Traces;

namespace MoESim.Placement.Tests;

/// <summary>Small hand-made systems, cost models and traces shared by the placement tests.</summary>
internal static class PlacementFixtures
{
    /// <summary>One node of <paramref name="devices"/> devices at 1 GB/s; 1 µs per token-pair, 0.5 µs per resident copy, 1,000 B per token.</summary>
    public static PlacementProblem Problem(int devices, int extraReplicas = 0, double tokensPerDevice = 2, int devicesPerNode = 0, TokenPath path = TokenPath.FollowExperts) => new()
    {
        System = new PlacementSystem
        {
            Name = "test", NumDevices = devices, DevicesPerNode = devicesPerNode == 0 ? devices : devicesPerNode,
            IntraNodeBytesPerSecond = 1e9, InterNodeBytesPerSecond = 0.25e9, ExpertMemoryBytesPerDevice = 1e12,
        },
        Time = new ExpertTimeModel(1e-6, 0.5e-6, 1000),
        ExpertWeightBytes = 1e6,
        TokensPerDevicePerStep = tokensPerDevice,
        ExtraReplicasPerLayer = extraReplicas,
        TokenPath = path,
    };

    /// <summary>A step of one request: <paramref name="choices"/>[layer][token] lists that token's experts.</summary>
    public static RoutingStep Step(int request, int[][][] choices)
    {
        var step = new RoutingStep();
        var layers = choices.Length;
        var tokens = choices[0].Length;
        var k = choices[0][0].Length;
        step.Reset(request, 0, 0, tokens, false, layers, k, false);
        for (var l = 0; l < layers; l++)
            for (var t = 0; t < tokens; t++) choices[l][t].CopyTo(step.Experts(l, t));
        return step;
    }

    public static RoutingStatistics Stats(TraceShape shape, int devices, params RoutingStep[] steps)
    {
        var b = new RoutingStatisticsBuilder(shape, devices, "test");
        foreach (var s in steps) b.Add(s);
        return b.Build();
    }

    public static TraceShape Shape(int layers, int experts, int k) => new() { NumMoeLayers = layers, NumExperts = experts, TopK = k };
}
