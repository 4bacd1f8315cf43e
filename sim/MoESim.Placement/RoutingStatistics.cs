namespace MoESim.Placement;

/// <summary>
/// What placement needs from a trace: per MoE layer and expert, token counts by the token's
/// origin device, and adjacent-layer co-activation counts. Counts are totals over the trace;
/// <see cref="PerStepScale"/> turns them into one serving step's worth.
/// </summary>
/// <remarks>
/// Origin device of a token: <c>request id mod devices</c>. The assumption is DP attention: each
/// request's attention and KV cache live on one data-parallel rank, and requests are spread
/// evenly over the ranks.
/// </remarks>
public sealed class RoutingStatistics
{
    internal RoutingStatistics(int layers, int experts, int topK, int devices, long tokens, long steps, double[][] originLoads, double[][] transitions)
    {
        NumMoeLayers = layers;
        NumExperts = experts;
        TopK = topK;
        NumDevices = devices;
        Tokens = tokens;
        Steps = steps;
        OriginLoads = originLoads;
        Transitions = transitions;
        var all = new double[layers][];
        for (var l = 0; l < layers; l++)
        {
            var loads = new double[experts];
            for (var o = 0; o < devices; o++)
                for (var e = 0; e < experts; e++) loads[e] += originLoads[l][o * experts + e];
            all[l] = loads;
        }
        Loads = all;
    }

    public int NumMoeLayers { get; }
    public int NumExperts { get; }
    public int TopK { get; }
    /// <summary>Devices tokens originate on (the system's device count), ≥ 1.</summary>
    public int NumDevices { get; }
    /// <summary>Tokens counted (each passes every MoE layer), ≥ 0.</summary>
    public long Tokens { get; }
    /// <summary>Trace steps (request × iteration records) counted.</summary>
    public long Steps { get; }

    /// <summary>[layer][origin × experts + expert]: tokens from that origin device choosing that expert.</summary>
    public IReadOnlyList<double[]> OriginLoads { get; }

    /// <summary>[layer][expert]: tokens choosing the expert (sum over origins).</summary>
    public IReadOnlyList<double[]> Loads { get; }

    /// <summary>
    /// [layer][i × experts + j], layers 0..L−2: tokens that chose expert i at layer l and expert j at
    /// layer l+1 (all k × k pairs of a token counted).
    /// </summary>
    public IReadOnlyList<double[]> Transitions { get; }

    /// <summary>
    /// Factor turning totals into one step of <paramref name="tokensPerDevicePerStep"/> tokens on
    /// each device: (tokens per device × devices) / tokens counted.
    /// </summary>
    public double PerStepScale(double tokensPerDevicePerStep) =>
        Tokens == 0 ? 0 : tokensPerDevicePerStep * NumDevices / Tokens;
}
