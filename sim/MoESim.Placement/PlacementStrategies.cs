using MoESim.Config;

namespace MoESim.Placement;

/// <summary>The explicit factory from a strategy name to its implementation.</summary>
public static class PlacementStrategies
{
    /// <summary>Names accepted by <see cref="Create"/>, in report order.</summary>
    public static IReadOnlyList<string> Names { get; } = new[] { "round-robin", "greedy", "ilp" };

    /// <summary>The strategy called <paramref name="name"/>; an unknown name is an input error.</summary>
    public static IPlacementStrategy Create(string name, double ilpTimeLimitSeconds = 30, int ilpWorkers = 1) => name switch
    {
        "round-robin" => new RoundRobinStrategy(),
        "greedy" => new GreedyReplicationStrategy(),
        "ilp" => new IlpStrategy(ilpTimeLimitSeconds, ilpWorkers),
        _ => throw new InputException(name, "--strategy", $"unknown strategy (expected one of {string.Join(", ", Names)})"),
    };
}
