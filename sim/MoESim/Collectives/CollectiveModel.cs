namespace MoESim.Collectives;

/// <summary>How a collective's transfers are timed on the topology.</summary>
public enum CollectiveModel
{
    /// <summary>
    /// One flow per transfer in the flow engine: links shared max-min fair, rates re-solved at
    /// every flow start and end. Contention between concurrent transfers is resolved in detail;
    /// the cost grows with the flows (up to ranks² per all-to-all) times the re-solves.
    /// </summary>
    Flows,

    /// <summary>
    /// Per-link aggregation: every transfer's bytes are summed onto the links of its route and a
    /// stage lasts max over links of (load / bandwidth + the longest route latency on that link);
    /// stages that wait for each other (rail forwarding: fabric, then NVLink forwarding) add up.
    /// The whole collective completes in one scheduled event. Exact when every link of a stage
    /// stays saturated until its load is through (uniform exchanges); see
    /// <see cref="AggregatedLinkLoads"/> for where it departs from <see cref="Flows"/>.
    /// </summary>
    Aggregated,
}
