namespace MoESim.Models;

/// <summary>Attention variants: multi-head, grouped-query, multi-head latent (DeepSeek).</summary>
public enum AttentionKind
{
    Mha,
    Gqa,
    Mla,
}
