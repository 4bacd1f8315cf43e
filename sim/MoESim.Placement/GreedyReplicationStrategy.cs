using System.Diagnostics;
using MoESim.Parallelism;

namespace MoESim.Placement;

/// <summary>
/// Greedy balance with replication of hot experts, after DeepSeek's EPLB (placement.yaml id
/// eplb, the global variant): each extra copy goes to the expert with the largest load per copy,
/// then copies (each serving an equal share of its expert's tokens) are packed heaviest first
/// onto the least-loaded device that has a free slot and no copy of the same expert.
/// </summary>
public sealed class GreedyReplicationStrategy : IPlacementStrategy
{
    public string Name => "greedy";

    public PlacementResult Place(RoutingStatistics fit, PlacementProblem problem)
    {
        var clock = Stopwatch.StartNew();
        var devices = problem.System.NumDevices;
        var slots = problem.SlotsPerDevice(fit.NumExperts);
        var layers = new IReadOnlyList<ExpertReplica>[fit.NumMoeLayers][];
        for (var l = 0; l < fit.NumMoeLayers; l++)
        {
            var copies = ReplicaCounts(fit.Loads[l], problem.ExtraReplicasPerLayer, devices);
            layers[l] = ToReplicas(Pack(fit.Loads[l], copies, devices, slots), copies);
        }
        return new PlacementResult
        {
            Placement = new ExpertPlacement(devices, layers, Name),
            SolveSeconds = clock.Elapsed.TotalSeconds,
            Note = $"EPLB-style greedy, {problem.ExtraReplicasPerLayer} extra copies per layer, {slots} slots per device",
        };
    }

    /// <summary>Copies per expert: one each, then each extra copy to the largest load per copy (at most one copy per device).</summary>
    internal static int[] ReplicaCounts(double[] loads, int extra, int devices)
    {
        var copies = new int[loads.Length];
        Array.Fill(copies, 1);
        for (var r = 0; r < extra; r++)
        {
            var best = -1;
            for (var e = 0; e < loads.Length; e++)
                if (copies[e] < devices && (best < 0 || loads[e] / copies[e] > loads[best] / copies[best])) best = e;
            if (best < 0) break;
            copies[best]++;
        }
        return copies;
    }

    /// <summary>
    /// Packs copies heaviest first onto the least-loaded device with a free slot and no copy of
    /// the same expert. Returns for each expert the devices of its copies. Ties break by lower
    /// expert id and lower device index, so the result is deterministic.
    /// </summary>
    internal static int[][] Pack(double[] loads, int[] copies, int devices, int slots)
    {
        var items = new List<(double Load, int Expert)>();
        for (var e = 0; e < loads.Length; e++)
            for (var c = 0; c < copies[e]; c++) items.Add((loads[e] / copies[e], e));
        if (items.Count > (long)slots * devices)
            throw new ArgumentException($"{items.Count} expert copies do not fit {devices} devices x {slots} slots");
        items.Sort((a, b) => b.Load != a.Load ? b.Load.CompareTo(a.Load) : a.Expert.CompareTo(b.Expert));
        var deviceLoad = new double[devices];
        var used = new int[devices];
        var hosts = new List<int>[loads.Length];
        for (var e = 0; e < loads.Length; e++) hosts[e] = new List<int>(copies[e]);
        foreach (var (load, expert) in items)
        {
            var best = -1;
            for (var d = 0; d < devices; d++)
            {
                if (used[d] >= slots || hosts[expert].Contains(d)) continue;
                if (best < 0 || deviceLoad[d] < deviceLoad[best] || deviceLoad[d] == deviceLoad[best] && used[d] < used[best]) best = d;
            }
            if (best < 0) throw new InvalidOperationException($"no device left for a copy of expert {expert}");
            deviceLoad[best] += load;
            used[best]++;
            hosts[expert].Add(best);
        }
        return hosts.Select(h => h.ToArray()).ToArray();
    }

    /// <summary>Equal-share replicas from per-expert host lists.</summary>
    internal static IReadOnlyList<ExpertReplica>[] ToReplicas(int[][] hosts, int[] copies)
    {
        var result = new IReadOnlyList<ExpertReplica>[hosts.Length];
        for (var e = 0; e < hosts.Length; e++)
            result[e] = hosts[e].Select(d => new ExpertReplica(d, 1.0 / copies[e])).ToArray();
        return result;
    }
}
