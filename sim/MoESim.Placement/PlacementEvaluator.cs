using MoESim.Parallelism;

namespace MoESim.Placement;

/// <summary>
/// Scores any placement on routing statistics with one model, so strategies compare fairly:
/// per device load, device-to-device bytes (<see cref="TokenPath"/>), and per layer the
/// slowest device's time = roofline expert compute (<see cref="ExpertTimeModel"/>) + its
/// all-to-all time, max(in, out) bytes over the intra-node bandwidth plus max(in, out) over the
/// inter-node bandwidth. Statistics are scaled to one step of
/// <see cref="PlacementProblem.TokensPerDevicePerStep"/> tokens per device.
/// </summary>
public static class PlacementEvaluator
{
    /// <summary>Scores <paramref name="placement"/>; throws <see cref="ArgumentException"/> when shapes differ.</summary>
    public static PlacementScore Evaluate(ExpertPlacement placement, RoutingStatistics stats, PlacementProblem problem)
    {
        if (placement.NumMoeLayers != stats.NumMoeLayers || placement.NumExperts != stats.NumExperts || placement.NumDevices != stats.NumDevices)
            throw new ArgumentException($"placement ({placement.NumMoeLayers} layers x {placement.NumExperts} experts on {placement.NumDevices} devices) does not match the statistics ({stats.NumMoeLayers} x {stats.NumExperts} on {stats.NumDevices})");
        int devices = stats.NumDevices, experts = stats.NumExperts, layers = stats.NumMoeLayers;
        var scale = stats.PerStepScale(problem.TokensPerDevicePerStep);
        var traffic = new double[devices, devices];
        var loads = new double[devices];
        var layerSeconds = new double[layers];
        var inBytes = new double[experts * devices];
        var outBytes = new double[experts * devices];
        double maxLoadSum = 0, totalLoad = 0;
        double[]? previous = null;
        for (var l = 0; l < layers; l++)
        {
            var shares = LayerFlows.Shares(placement, l);
            LayerFlows.Compute(stats, problem, l, previous, scale, inBytes, outBytes);
            var layerTraffic = new double[devices, devices];
            var layerLoads = new double[devices];
            var resident = new int[devices];
            Accumulate(stats.Loads[l], shares, inBytes, outBytes, scale, devices, layerTraffic, layerLoads, resident);
            layerSeconds[l] = LayerSeconds(problem, layerTraffic, layerLoads, resident);
            var max = 0.0;
            for (var d = 0; d < devices; d++)
            {
                loads[d] += layerLoads[d] / layers;
                max = Math.Max(max, layerLoads[d]);
                totalLoad += layerLoads[d];
                for (var d2 = 0; d2 < devices; d2++) traffic[d, d2] += layerTraffic[d, d2];
            }
            maxLoadSum += max;
            previous = shares;
        }
        double cross = 0;
        foreach (var b in traffic) cross += b;
        var seconds = layerSeconds.Sum();
        return new PlacementScore
        {
            Strategy = placement.Strategy,
            DeviceLoadTokens = loads,
            MaxDeviceLoadTokens = maxLoadSum / layers,
            MeanDeviceLoadTokens = totalLoad / layers / devices,
            TrafficBytes = traffic,
            CrossDeviceBytes = cross,
            LayerSeconds = layerSeconds,
            MoeTokensPerSecond = seconds > 0 ? problem.TokensPerDevicePerStep * devices / seconds : double.PositiveInfinity,
        };
    }

    /// <summary>Loads, resident copies and device-to-device bytes of one layer from replica shares.</summary>
    internal static void Accumulate(double[] expertLoads, double[] shares, double[] inBytes, double[] outBytes, double scale, int devices,
        double[,] traffic, double[] loads, int[] resident)
    {
        for (var e = 0; e < expertLoads.Length; e++)
        {
            for (var d = 0; d < devices; d++)
            {
                var w = shares[e * devices + d];
                if (w == 0) continue;
                resident[d]++;
                loads[d] += expertLoads[e] * scale * w;
                for (var a = 0; a < devices; a++)
                {
                    if (a == d) continue;
                    traffic[a, d] += w * inBytes[e * devices + a];
                    traffic[d, a] += w * outBytes[e * devices + a];
                }
            }
        }
    }

    /// <summary>The slowest device's compute + communication time in one layer, seconds.</summary>
    internal static double LayerSeconds(PlacementProblem problem, double[,] traffic, double[] loads, int[] resident)
    {
        var system = problem.System;
        var devices = loads.Length;
        var slowest = 0.0;
        for (var d = 0; d < devices; d++)
        {
            double inIntra = 0, outIntra = 0, inInter = 0, outInter = 0;
            for (var a = 0; a < devices; a++)
            {
                if (a == d) continue;
                if (system.NodeOf(a) == system.NodeOf(d)) { inIntra += traffic[a, d]; outIntra += traffic[d, a]; }
                else { inInter += traffic[a, d]; outInter += traffic[d, a]; }
            }
            var compute = Math.Max(loads[d] * problem.Time.SecondsPerTokenPair, resident[d] * problem.Time.SecondsPerResidentExpert);
            var comm = Math.Max(inIntra, outIntra) / system.IntraNodeBytesPerSecond + Math.Max(inInter, outInter) / system.InterNodeBytesPerSecond;
            slowest = Math.Max(slowest, compute + comm);
        }
        return slowest;
    }
}
