namespace MoESim.Models;

/// <summary>
/// The MoE part of each supported Hugging Face family: which keys hold the expert counts and
/// widths, and which layers are MoE. Each returns the MoE section (null for a dense model)
/// and the dense-layer FFN width (0 when every layer is MoE, as in the shipped models/*.yaml).
/// </summary>
internal static class HuggingFaceFamilies
{
    /// <summary>Mixtral and OLMoE: every layer is MoE; intermediate_size is the per-expert width.</summary>
    public static (MoeConfig?, int) ReadMixtralOrOlmoe(JsonObjectReader json, string expertsKey)
    {
        var experts = json.RequiredInt(expertsKey);
        var topK = ReadTopK(json, experts, expertsKey);
        var moe = new MoeConfig
        {
            NumExperts = experts,
            TopK = topK,
            ExpertIntermediateSize = json.RequiredInt("intermediate_size"),
        };
        return (moe, 0);
    }

    /// <summary>
    /// DeepSeek-V2/V3: layer l is MoE when l &gt;= first_k_dense_replace and
    /// l % moe_layer_freq == 0 (transformers' DeepseekV3DecoderLayer); shared experts have the
    /// routed width (the shared MLP is moe_intermediate_size × n_shared_experts wide).
    /// </summary>
    public static (MoeConfig?, int) ReadDeepSeek(JsonObjectReader json, int layers)
    {
        var experts = json.RequiredInt("n_routed_experts");
        var topK = ReadTopK(json, experts, "n_routed_experts");
        var width = json.RequiredInt("moe_intermediate_size");
        var shared = json.OptionalInt("n_shared_experts", min: 0) ?? 0;
        var firstDense = json.OptionalInt("first_k_dense_replace", min: 0) ?? 0;
        var freq = json.OptionalInt("moe_layer_freq") ?? 1;
        var isMoe = new bool[layers];
        for (var l = 0; l < layers; l++) isMoe[l] = l >= firstDense && l % freq == 0;
        var moe = Build(json, isMoe, experts, topK, width, shared, problemKey: json.Has("moe_layer_freq") && freq != 1 ? "moe_layer_freq" : "first_k_dense_replace");
        return (moe, DenseWidth(json, isMoe));
    }

    /// <summary>
    /// Qwen3-MoE: layer l is MoE when it is not in mlp_only_layers and
    /// (l + 1) % decoder_sparse_step == 0 (transformers' Qwen3MoeDecoderLayer); explicit head_dim
    /// is read with the attention. Dense layers use intermediate_size.
    /// </summary>
    public static (MoeConfig?, int) ReadQwen3Moe(JsonObjectReader json, int layers)
    {
        var experts = json.RequiredInt("num_experts");
        var topK = ReadTopK(json, experts, "num_experts");
        var width = json.RequiredInt("moe_intermediate_size");
        var step = json.OptionalInt("decoder_sparse_step") ?? 1;
        var mlpOnly = json.OptionalIntList("mlp_only_layers");
        foreach (var layer in mlpOnly)
        {
            if (layer >= layers)
                json.Error("mlp_only_layers", $"layer {layer} does not exist (num_hidden_layers is {layers})");
        }
        var isMoe = new bool[layers];
        for (var l = 0; l < layers; l++) isMoe[l] = !mlpOnly.Contains(l) && (l + 1) % step == 0;
        var moe = Build(json, isMoe, experts, topK, width, 0, problemKey: mlpOnly.Count > 0 ? "mlp_only_layers" : "decoder_sparse_step");
        return (moe, DenseWidth(json, isMoe));
    }

    private static int ReadTopK(JsonObjectReader json, int experts, string expertsKey)
    {
        var topK = json.RequiredInt("num_experts_per_tok");
        if (topK > experts && json.IsValid(expertsKey))
            json.Error("num_experts_per_tok", $"must not exceed {expertsKey} ({experts}), got {topK}");
        return topK;
    }

    /// <summary>Fits the layer pattern; a model whose every layer is dense gets no MoE section.</summary>
    private static MoeConfig? Build(JsonObjectReader json, bool[] isMoe, int experts, int topK, int width, int shared, string problemKey)
    {
        if (!isMoe.Contains(true)) return null;
        var fitted = MoeLayerPattern.Fit(isMoe);
        if (fitted is null)
            json.Error(problemKey, $"MoE layers {MoeLayerPattern.Describe(isMoe)} do not follow a 'first MoE layer, then every n-th' pattern, which MoESim's model format (first_moe_layer, moe_layer_interval) cannot represent");
        // (0, 1) is a placeholder: the error recorded above is thrown before the model is used.
        var pattern = fitted ?? (0, 1);
        return new MoeConfig
        {
            NumExperts = experts,
            TopK = topK,
            ExpertIntermediateSize = width,
            NumSharedExperts = shared,
            // DeepSeek's shared MLP is moe_intermediate_size × n_shared_experts wide: n experts of the routed width.
            SharedExpertIntermediateSize = shared > 0 ? width : 0,
            FirstMoeLayer = pattern.First,
            MoeLayerInterval = pattern.Interval,
        };
    }

    /// <summary>intermediate_size matters only when some layer is dense; otherwise it is left 0.</summary>
    private static int DenseWidth(JsonObjectReader json, bool[] isMoe) =>
        isMoe.Contains(false) ? json.RequiredInt("intermediate_size") : 0;
}
