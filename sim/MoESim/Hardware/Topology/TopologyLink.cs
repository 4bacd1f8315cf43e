namespace MoESim.Hardware.Topology;

/// <summary>
/// One direction of a physical link between two topology vertices. A duplex cable is two of
/// these, one per direction, each with the full per-direction bandwidth.
/// </summary>
/// <param name="Index">Position in <see cref="SystemTopology.Links"/>; routes refer to links by it.</param>
/// <param name="Name">Name for reports, e.g. "nvlink:gpu3>nvswitch".</param>
/// <param name="From">Index of the sending vertex.</param>
/// <param name="To">Index of the receiving vertex.</param>
/// <param name="BandwidthBytesPerSecond">Bandwidth in this direction, bytes/s (&gt; 0).</param>
/// <param name="LatencySeconds">Latency paid once by a flow crossing the link, seconds (≥ 0); includes the receiving switch's traversal latency.</param>
public sealed record TopologyLink(int Index, string Name, int From, int To, double BandwidthBytesPerSecond, double LatencySeconds);
