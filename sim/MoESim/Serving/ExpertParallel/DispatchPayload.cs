namespace MoESim.Serving.ExpertParallel;

/// <summary>What a token sends in the MoE dispatch (and gets back in the combine).</summary>
public enum DispatchPayload
{
    /// <summary>
    /// One copy per (token, chosen expert) on another GPU: token-permuting all-to-alls that lay
    /// out a receive buffer per expert (Megatron's all-to-all dispatcher, DeepEP's low-latency
    /// kernels). A token with two experts on one GPU sends it two copies.
    /// </summary>
    PerExpert,

    /// <summary>
    /// One copy per (token, receiving GPU), and with rail forwarding one fabric crossing per
    /// (token, receiving machine) that the rail peer forwards over NVLink; combine reduces a
    /// token's expert outputs on each GPU and, across machines, on the rail GPU before they
    /// cross back (DeepEP's normal kernels, DeepSeek-V3 report §3.2.2).
    /// </summary>
    PerDevice,
}
