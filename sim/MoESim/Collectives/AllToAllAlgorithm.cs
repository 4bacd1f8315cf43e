namespace MoESim.Collectives;

/// <summary>How an all-to-all moves data between GPUs of different machines.</summary>
public enum AllToAllAlgorithm
{
    /// <summary>One flow per (sender, receiver) pair over the topology route (NCCL's all-to-all; DeepEP's low-latency kernels).</summary>
    Direct,

    /// <summary>
    /// Cross-machine data first crosses the fabric to the receiving machine's GPU with the same
    /// local index as the sender (one aggregated flow per sender and machine, rail-aligned), which
    /// forwards it over NVLink to the final GPUs: the scheme of the DeepSeek-V3 technical report
    /// (§3.2.2) and DeepEP's normal kernels. Same-machine data goes direct. A rail peer forwards
    /// once all its inbound fabric flows have arrived, one NVLink flow per local GPU (DeepEP
    /// pipelines in chunks instead), so the time can be overstated by up to one NVLink
    /// forwarding step, about 1/9 of the fabric time on a DGX H100 (450 vs 50 GB/s).
    /// </summary>
    RailForwarded,
}
