namespace MoESim.Models;

/// <summary>
/// A transformer LLM: dense or MoE. A model with no <see cref="Moe"/> section is a valid dense
/// model, so MoESim can be compared with dense-only simulators on the same work.
/// </summary>
public sealed record ModelConfig
{
    public required string Name { get; init; }

    /// <summary>Model (hidden) dimension, elements.</summary>
    public required int HiddenSize { get; init; }

    /// <summary>Transformer layers.</summary>
    public required int NumLayers { get; init; }

    public required int VocabSize { get; init; }

    public required AttentionConfig Attention { get; init; }

    /// <summary>Intermediate width of dense-layer SwiGLU FFNs, elements (0 if every layer is MoE).</summary>
    public required int DenseIntermediateSize { get; init; }

    /// <summary>Null for a dense model.</summary>
    public MoeConfig? Moe { get; init; }

    public required ModelDataTypes DataTypes { get; init; }

    /// <summary>Whether input embedding and LM head share weights (counted once).</summary>
    public bool TieWordEmbeddings { get; init; }

    /// <summary>Whether layer <paramref name="layer"/> (0-based) has routed experts.</summary>
    public bool IsMoeLayer(int layer) =>
        Moe is not null && layer >= Moe.FirstMoeLayer && (layer - Moe.FirstMoeLayer) % Moe.MoeLayerInterval == 0;

    /// <summary>Number of MoE layers.</summary>
    public int NumMoeLayers
    {
        get
        {
            var n = 0;
            for (var l = 0; l < NumLayers; l++) if (IsMoeLayer(l)) n++;
            return n;
        }
    }

    /// <summary>Returns a copy with different data types (e.g. fp8 weights).</summary>
    public ModelConfig WithDataTypes(ModelDataTypes types) => this with { DataTypes = types };
}
