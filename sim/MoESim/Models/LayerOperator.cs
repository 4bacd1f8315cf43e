namespace MoESim.Models;

/// <summary>An operator of a transformer layer, as a step planner runs it.</summary>
public enum LayerOperator
{
    /// <summary>Attention: QKV/output projections and the attention core (prefill and decode parts).</summary>
    Attention,
    /// <summary>The MoE router (gate GEMM and top-k) of an MoE layer.</summary>
    Router,
    /// <summary>The always-active shared experts of an MoE layer (absent when the model has none).</summary>
    SharedExpert,
    /// <summary>Sending each token (or token-expert pair) to where its routed experts run.</summary>
    Dispatch,
    /// <summary>The routed experts' FFNs over the tokens the router sent them.</summary>
    RoutedExperts,
    /// <summary>Returning and weighting the routed experts' outputs.</summary>
    Combine,
    /// <summary>The FFN of a dense (non-MoE) layer.</summary>
    DenseFfn,
    /// <summary>The LM head (logits of tokens that emit one), once per step after the last layer.</summary>
    LmHead,
}
