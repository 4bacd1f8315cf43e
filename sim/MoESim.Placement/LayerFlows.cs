namespace MoESim.Placement;

/// <summary>
/// Per-step bytes that must reach each expert of one layer from each device, and leave it for
/// each device, before they are split over the expert's replicas. Shared by the evaluator and
/// the ILP, so both price traffic the same way (see <see cref="TokenPath"/>).
/// </summary>
internal static class LayerFlows
{
    /// <summary>
    /// Fills <paramref name="inBytes"/> and <paramref name="outBytes"/> ([expert × devices + device],
    /// bytes per step). <paramref name="previousShares"/> is layer−1's replica shares
    /// ([expert × devices + device]); ignored for layer 0 and for <see cref="TokenPath.ReturnToOrigin"/>.
    /// </summary>
    public static void Compute(RoutingStatistics stats, PlacementProblem problem, int layer, double[]? previousShares, double scale, double[] inBytes, double[] outBytes)
    {
        int experts = stats.NumExperts, devices = stats.NumDevices;
        var bytes = problem.Time.BytesPerToken * scale;
        Array.Clear(inBytes);
        Array.Clear(outBytes);
        var origin = stats.OriginLoads[layer];
        var last = layer == stats.NumMoeLayers - 1;
        if (problem.TokenPath == TokenPath.ReturnToOrigin || layer == 0)
        {
            for (var o = 0; o < devices; o++)
                for (var e = 0; e < experts; e++) inBytes[e * devices + o] = origin[o * experts + e] * bytes;
        }
        else
        {
            if (previousShares is null) throw new ArgumentNullException(nameof(previousShares), "layers after the first need the previous layer's placement");
            var t = stats.Transitions[layer - 1];
            var perPair = bytes / stats.TopK;
            for (var i = 0; i < experts; i++)
            {
                var row = i * experts;
                var from = i * devices;
                for (var a = 0; a < devices; a++)
                {
                    var share = previousShares[from + a];
                    if (share == 0) continue;
                    var w = share * perPair;
                    for (var j = 0; j < experts; j++)
                    {
                        var c = t[row + j];
                        if (c != 0) inBytes[j * devices + a] += c * w;
                    }
                }
            }
        }
        if (problem.TokenPath == TokenPath.ReturnToOrigin || last)
        {
            for (var o = 0; o < devices; o++)
                for (var e = 0; e < experts; e++) outBytes[e * devices + o] = origin[o * experts + e] * bytes;
        }
    }

    /// <summary>Replica shares of one layer: [expert × devices + device] = share of the expert's tokens that device serves.</summary>
    public static double[] Shares(Parallelism.ExpertPlacement placement, int layer)
    {
        var devices = placement.NumDevices;
        var shares = new double[placement.NumExperts * devices];
        for (var e = 0; e < placement.NumExperts; e++)
            foreach (var r in placement.Replicas(layer, e)) shares[e * devices + r.Device] += r.Weight;
        return shares;
    }
}
