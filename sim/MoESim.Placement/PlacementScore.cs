namespace MoESim.Placement;

/// <summary>How one placement does on one set of routing statistics, per serving step.</summary>
public sealed record PlacementScore
{
    /// <summary>Strategy name.</summary>
    public required string Strategy { get; init; }

    /// <summary>Per device: token-expert pairs per step, averaged over MoE layers.</summary>
    public required double[] DeviceLoadTokens { get; init; }

    /// <summary>The busiest device's token-expert pairs per step, averaged over layers (per-layer maximum, then mean).</summary>
    public required double MaxDeviceLoadTokens { get; init; }

    /// <summary>Mean device load, token-expert pairs per step per layer.</summary>
    public required double MeanDeviceLoadTokens { get; init; }

    /// <summary>[source, destination] bytes per step summed over MoE layers (diagonal zero).</summary>
    public required double[,] TrafficBytes { get; init; }

    /// <summary>Bytes per step crossing between devices, summed over layers (dispatch + combine).</summary>
    public required double CrossDeviceBytes { get; init; }

    /// <summary>Per MoE layer: the slowest device's expert compute + communication, seconds per step.</summary>
    public required double[] LayerSeconds { get; init; }

    /// <summary>Sum of <see cref="LayerSeconds"/>: predicted MoE time of one step, seconds.</summary>
    public double MoeSecondsPerStep => LayerSeconds.Sum();

    /// <summary>Tokens of a step over its MoE time: throughput bound of the MoE layers alone, tokens/s.</summary>
    public required double MoeTokensPerSecond { get; init; }

    /// <summary>Max over mean device load (1 = perfectly balanced).</summary>
    public double LoadImbalance => MeanDeviceLoadTokens > 0 ? MaxDeviceLoadTokens / MeanDeviceLoadTokens : 1;
}
