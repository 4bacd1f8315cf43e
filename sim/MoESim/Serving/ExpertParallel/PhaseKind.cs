namespace MoESim.Serving.ExpertParallel;

/// <summary>One bulk-synchronous phase of a layer under expert parallelism.</summary>
public enum PhaseKind
{
    /// <summary>Attention projections and core, split over the TP group.</summary>
    Attention,
    /// <summary>All-reduce of the TP group's partial outputs (TP &gt; 1 only).</summary>
    TpAllReduce,
    /// <summary>Router and shared experts over each GPU's own tokens.</summary>
    RouterAndShared,
    /// <summary>All-to-all sending each token-expert pair to the expert's GPU.</summary>
    Dispatch,
    /// <summary>Routed experts on every GPU; ends when the slowest GPU ends (the layer barrier).</summary>
    Experts,
    /// <summary>All-to-all returning expert outputs to the tokens' GPUs.</summary>
    Combine,
    /// <summary>All-gather of the tokens the TP ranks handled, so each rank has the whole group's (TP &gt; 1 only).</summary>
    TpAllGather,
    /// <summary>Dense FFN of a non-MoE layer, split over the TP group.</summary>
    DenseFfn,
    /// <summary>LM head, once per step.</summary>
    LmHead,
}
