namespace MoESim.Models;

/// <summary>
/// Attention shape. For MHA/GQA: heads, KV heads and head dimension. For MLA the latent ranks
/// and split head dimensions (DeepSeek-V2/V3 naming).
/// </summary>
public sealed record AttentionConfig
{
    public required AttentionKind Kind { get; init; }

    /// <summary>Query heads (&gt;= 1).</summary>
    public required int NumHeads { get; init; }

    /// <summary>Key/value heads; equals <see cref="NumHeads"/> for MHA; unused for MLA.</summary>
    public required int NumKvHeads { get; init; }

    /// <summary>Per-head dimension for MHA/GQA (elements).</summary>
    public required int HeadDim { get; init; }

    /// <summary>MLA query low-rank dimension; 0 means queries are projected directly.</summary>
    public int QLoraRank { get; init; }

    /// <summary>MLA compressed KV dimension (what the KV cache stores per token, plus the rope part).</summary>
    public int KvLoraRank { get; init; }

    /// <summary>MLA per-head query/key dimension without rotary embedding.</summary>
    public int QkNopeHeadDim { get; init; }

    /// <summary>MLA per-head rotary dimension (shared key part is cached).</summary>
    public int QkRopeHeadDim { get; init; }

    /// <summary>MLA per-head value dimension.</summary>
    public int VHeadDim { get; init; }
}
