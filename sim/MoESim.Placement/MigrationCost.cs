using MoESim.Parallelism;

namespace MoESim.Placement;

/// <summary>
/// Prices a change of placement: every expert copy a device hosts in the new placement but not in
/// the old (same layer and expert) brings <see cref="PlacementProblem.ExpertWeightBytes"/> to that
/// device. A changed replica share on a device that already holds the expert moves nothing.
/// </summary>
/// <remarks>
/// Model (hand-calculable, the evaluator's all-to-all model applied to weights): each new copy is
/// sent by a device that held the expert in the old placement, the lowest-numbered one in the
/// receiver's node if any (intra-node link), else the lowest-numbered one overall, necessarily in
/// another node (inter-node link). Per device, time = max(bytes in, bytes out) inside the node /
/// intra-node bandwidth + max(bytes in, bytes out) between nodes / inter-node bandwidth (the
/// per-device bandwidths of <see cref="PlacementSystem"/>, from the system profile); devices
/// transfer in parallel, so the migration takes the slowest device's time. Serving is assumed
/// paused meanwhile (no overlap with compute) and one old host sends each copy, so the time is a
/// pessimistic bandwidth estimate; it is not an upper bound, since link latency and protocol
/// overheads are left out.
/// </remarks>
public static class MigrationCost
{
    /// <summary>
    /// Bytes and time to go from <paramref name="from"/> to <paramref name="to"/>; throws
    /// <see cref="ArgumentException"/> when the placements' shapes differ.
    /// </summary>
    public static PlacementMigration Between(ExpertPlacement from, ExpertPlacement to, PlacementProblem problem)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        ArgumentNullException.ThrowIfNull(problem);
        if (from.NumMoeLayers != to.NumMoeLayers || from.NumExperts != to.NumExperts || from.NumDevices != to.NumDevices)
            throw new ArgumentException($"placements differ in shape: {from.NumMoeLayers}x{from.NumExperts} on {from.NumDevices} devices vs {to.NumMoeLayers}x{to.NumExperts} on {to.NumDevices}");
        var system = problem.System;
        var devices = from.NumDevices;
        var bytes = problem.ExpertWeightBytes;
        double[] inIntra = new double[devices], outIntra = new double[devices], inInter = new double[devices], outInter = new double[devices];
        var held = new bool[devices];
        long moved = 0;
        for (var l = 0; l < to.NumMoeLayers; l++)
        {
            for (var e = 0; e < to.NumExperts; e++)
            {
                Array.Clear(held);
                foreach (var r in from.Replicas(l, e)) held[r.Device] = true;
                foreach (var r in to.Replicas(l, e))
                {
                    var d = r.Device;
                    if (held[d]) continue;
                    moved++;
                    var source = Source(held, d, system);
                    if (system.NodeOf(source) == system.NodeOf(d)) { inIntra[d] += bytes; outIntra[source] += bytes; }
                    else { inInter[d] += bytes; outInter[source] += bytes; }
                }
            }
        }
        var seconds = 0.0;
        var deviceIn = new double[devices];
        for (var d = 0; d < devices; d++)
        {
            deviceIn[d] = inIntra[d] + inInter[d];
            var t = Math.Max(inIntra[d], outIntra[d]) / system.IntraNodeBytesPerSecond + Math.Max(inInter[d], outInter[d]) / system.InterNodeBytesPerSecond;
            seconds = Math.Max(seconds, t);
        }
        return new PlacementMigration { CopiesMoved = moved, DeviceInBytes = deviceIn, Bytes = moved * bytes, Seconds = seconds };
    }

    /// <summary>The device that sends a new copy to <paramref name="receiver"/>: an old host in its node if any, else any old host (lowest index first).</summary>
    private static int Source(bool[] held, int receiver, PlacementSystem system)
    {
        var any = -1;
        for (var d = 0; d < held.Length; d++)
        {
            if (!held[d]) continue;
            if (system.NodeOf(d) == system.NodeOf(receiver)) return d;
            if (any < 0) any = d;
        }
        return any; // every expert has at least one copy, so some device held it
    }
}
