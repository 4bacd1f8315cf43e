using MoESim.Units;

namespace MoESim.Engine;

/// <summary>
/// One direction of a network link (NVLink lane group, PCIe direction, a NIC port into a
/// switch). A full-duplex cable is two links, one per direction, each with its own bandwidth.
/// Links are created by <see cref="FlowNetwork.AddLink"/>, which owns their traffic statistics.
/// </summary>
public sealed class Link
{
    private readonly Simulator _sim;
    private long _busyClosed;   // ps of busy periods that have ended
    private long _busySince;    // start of the current busy period, ps (valid while ActiveFlows > 0)

    internal Link(Simulator sim, int index, string name, double bandwidthBytesPerSecond, double latencySeconds)
    {
        _sim = sim;
        Index = index;
        Name = name;
        BandwidthBytesPerSecond = bandwidthBytesPerSecond;
        LatencySeconds = latencySeconds;
        TrackName = "link:" + name;
    }

    /// <summary>Position in <see cref="FlowNetwork.Links"/>; routes refer to links by this index.</summary>
    public int Index { get; }

    /// <summary>Link name for reports and traces.</summary>
    public string Name { get; }

    /// <summary>Bandwidth in this direction, bytes per second (&gt; 0).</summary>
    public double BandwidthBytesPerSecond { get; }

    /// <summary>Latency a flow pays once per link on its route before data moves, seconds (≥ 0).</summary>
    public double LatencySeconds { get; }

    /// <summary>Flows currently transferring over this link (their latency already paid).</summary>
    public int ActiveFlows { get; private set; }

    /// <summary>Payload bytes of completed flows that crossed this link (counted when a flow completes), plus bytes of aggregated collectives.</summary>
    public long BytesCarried { get; private set; }

    /// <summary>Flows that crossed this link and completed.</summary>
    public long FlowsCompleted { get; private set; }

    /// <summary>Time up to <see cref="Simulator.Now"/> during which at least one flow was transferring over this link.</summary>
    public SimTime BusyTime =>
        new(_busyClosed + (ActiveFlows > 0 ? _sim.Now.Picoseconds - _busySince : 0));

    /// <summary>
    /// Achieved bandwidth utilisation (0..1): <see cref="BytesCarried"/> over what the link could
    /// have moved from time zero to <see cref="Simulator.Now"/>; 0 at time zero.
    /// </summary>
    public double BandwidthUtilisation
    {
        get
        {
            double seconds = _sim.Now.Seconds;
            return seconds == 0 ? 0 : BytesCarried / (BandwidthBytesPerSecond * seconds);
        }
    }

    internal string TrackName { get; }

    internal void FlowStarted(long nowPicoseconds)
    {
        if (ActiveFlows++ == 0)
            _busySince = nowPicoseconds;
    }

    // Bytes a collective timed by per-link aggregation moved over this link (no flow ran).
    internal void CarryAggregated(long bytes) => BytesCarried += bytes;

    internal void FlowFinished(long nowPicoseconds, long bytes)
    {
        BytesCarried += bytes;
        FlowsCompleted++;
        if (--ActiveFlows == 0)
            _busyClosed += nowPicoseconds - _busySince;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({BandwidthBytesPerSecond:G4} B/s, {LatencySeconds:G4} s)";
}
