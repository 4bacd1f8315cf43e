namespace MoESim.Placement;

/// <summary>
/// Everything a strategy and the evaluator need besides the routing statistics: the system,
/// the expert cost, the batch a serving step carries, the slot budget and the traffic model.
/// </summary>
public sealed record PlacementProblem
{
    public required PlacementSystem System { get; init; }

    public required ExpertTimeModel Time { get; init; }

    /// <summary>Bytes of one expert's weights, &gt; 0 (memory check).</summary>
    public required double ExpertWeightBytes { get; init; }

    /// <summary>Tokens each device contributes to one serving step (e.g. a decode batch of 256), &gt; 0.</summary>
    public double TokensPerDevicePerStep { get; init; } = 256;

    /// <summary>Extra expert copies per layer beyond one per expert (EPLB's redundant experts), ≥ 0.</summary>
    public int ExtraReplicasPerLayer { get; init; }

    public TokenPath TokenPath { get; init; } = TokenPath.FollowExperts;

    /// <summary>Expert copies a device may hold per layer: ceil((experts + extra replicas) / devices).</summary>
    public int SlotsPerDevice(int numExperts) =>
        (numExperts + ExtraReplicasPerLayer + System.NumDevices - 1) / System.NumDevices;
}
