namespace MoESim.Placement;

/// <summary>Chooses where experts and their replicas live, from routing statistics of the fit part of a trace.</summary>
public interface IPlacementStrategy
{
    /// <summary>Name used on the command line and in reports (e.g. "greedy").</summary>
    string Name { get; }

    /// <summary>Places every expert of every layer; respects the problem's slot budget per device.</summary>
    PlacementResult Place(RoutingStatistics fit, PlacementProblem problem);
}
