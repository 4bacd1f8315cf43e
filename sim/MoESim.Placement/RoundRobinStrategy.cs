using System.Diagnostics;
using MoESim.Parallelism;

namespace MoESim.Placement;

/// <summary>Expert e of every layer on device e mod devices, one copy each: the load-blind baseline.</summary>
public sealed class RoundRobinStrategy : IPlacementStrategy
{
    public string Name => "round-robin";

    public PlacementResult Place(RoutingStatistics fit, PlacementProblem problem)
    {
        var clock = Stopwatch.StartNew();
        var devices = problem.System.NumDevices;
        var layers = new IReadOnlyList<ExpertReplica>[fit.NumMoeLayers][];
        for (var l = 0; l < fit.NumMoeLayers; l++)
        {
            layers[l] = new IReadOnlyList<ExpertReplica>[fit.NumExperts];
            for (var e = 0; e < fit.NumExperts; e++) layers[l][e] = new[] { new ExpertReplica(e % devices, 1.0) };
        }
        return new PlacementResult { Placement = new ExpertPlacement(devices, layers, Name), SolveSeconds = clock.Elapsed.TotalSeconds, Note = "expert e on device e mod devices" };
    }
}
