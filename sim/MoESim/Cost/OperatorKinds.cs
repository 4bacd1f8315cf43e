namespace MoESim.Cost;

/// <summary>
/// Names of operator kinds. Profiles key per-operator efficiencies by these names, and the
/// roofline groups its points by them.
/// </summary>
public static class OperatorKinds
{
    /// <summary>Q/K/V and output projections of attention (GEMMs over the hidden size).</summary>
    public const string AttentionProjection = "attention_projection";
    /// <summary>Attention core over new tokens (QK^T, softmax, PV), causal.</summary>
    public const string AttentionPrefill = "attention_prefill";
    /// <summary>Attention core of one new token per sequence over its KV cache.</summary>
    public const string AttentionDecode = "attention_decode";
    /// <summary>Router (gate) GEMM producing expert scores.</summary>
    public const string Router = "router";
    /// <summary>Routed expert SwiGLU FFNs (grouped GEMM).</summary>
    public const string ExpertFfn = "expert_ffn";
    /// <summary>Shared (always-active) experts.</summary>
    public const string SharedExpert = "shared_expert";
    /// <summary>FFN of a dense (non-MoE) layer.</summary>
    public const string DenseFfn = "dense_ffn";
    /// <summary>Final projection to vocabulary logits.</summary>
    public const string LmHead = "lm_head";

    public static readonly IReadOnlyList<string> All = new[]
    {
        AttentionProjection, AttentionPrefill, AttentionDecode, Router, ExpertFfn, SharedExpert, DenseFfn, LmHead,
    };

    public static bool IsKnown(string name) => All.Contains(name);
}
