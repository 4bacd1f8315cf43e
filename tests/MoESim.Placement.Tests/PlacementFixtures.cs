using System.Globalization;
using MoESim.Parallelism;
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

    /// <summary>Runs <paramref name="body"/> with <see cref="CultureInfo.CurrentCulture"/> set to <paramref name="culture"/> (e.g. de-DE, decimal comma), then restores it.</summary>
    public static T UnderCulture<T>(string culture, Func<T> body)
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
            return body();
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    public static TraceShape Shape(int layers, int experts, int k) => new() { NumMoeLayers = layers, NumExperts = experts, TopK = k };

    /// <summary>Smallest layer time over every single-copy assignment that respects the slots (earlier layers as in <paramref name="previous"/>).</summary>
    public static double BruteForce(RoutingStatistics stats, PlacementProblem problem, ExpertPlacement? previous, int layer)
    {
        int devices = problem.System.NumDevices, experts = stats.NumExperts;
        var slots = problem.SlotsPerDevice(experts);
        var best = double.MaxValue;
        var assignment = new int[experts];
        var total = (int)Math.Pow(devices, experts);
        for (var code = 0; code < total; code++)
        {
            var c = code;
            var used = new int[devices];
            var ok = true;
            for (var e = 0; e < experts; e++) { assignment[e] = c % devices; c /= devices; ok &= ++used[assignment[e]] <= slots; }
            if (!ok) continue;
            var layers = new List<IReadOnlyList<ExpertReplica>[]>();
            for (var l = 0; l <= layer; l++)
                layers.Add(l < layer
                    ? Enumerable.Range(0, experts).Select(e => (IReadOnlyList<ExpertReplica>)previous!.Replicas(l, e).ToArray()).ToArray()
                    : assignment.Select(d => (IReadOnlyList<ExpertReplica>)new[] { new ExpertReplica(d, 1) }).ToArray());
            while (layers.Count < stats.NumMoeLayers) layers.Add(layers[^1]);
            var seconds = PlacementEvaluator.Evaluate(new ExpertPlacement(devices, layers.ToArray(), "brute"), stats, problem).LayerSeconds[layer];
            best = Math.Min(best, seconds);
        }
        return best;
    }
}
