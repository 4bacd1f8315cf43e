namespace MoESim.Models;

/// <summary>The mixture-of-experts part of a model: routed and shared experts.</summary>
public sealed record MoeConfig
{
    /// <summary>Routed experts per MoE layer (&gt;= 1).</summary>
    public required int NumExperts { get; init; }

    /// <summary>Experts each token is routed to (1..NumExperts).</summary>
    public required int TopK { get; init; }

    /// <summary>Intermediate (FFN) width of one routed expert, elements.</summary>
    public required int ExpertIntermediateSize { get; init; }

    /// <summary>Always-active shared experts per MoE layer (&gt;= 0).</summary>
    public int NumSharedExperts { get; init; }

    /// <summary>Intermediate width of one shared expert, elements.</summary>
    public int SharedExpertIntermediateSize { get; init; }

    /// <summary>Index of the first MoE layer; layers before it are dense (DeepSeek's first_k_dense_replace).</summary>
    public int FirstMoeLayer { get; init; }

    /// <summary>Every n-th layer from <see cref="FirstMoeLayer"/> on is MoE (1 = all).</summary>
    public int MoeLayerInterval { get; init; } = 1;
}
