using MoESim.Config;
using MoESim.Units;

namespace MoESim.Models;

/// <summary>Loads and validates a model YAML (see models/*.yaml for the layout).</summary>
public static class ModelLoader
{
    /// <summary>Loads <paramref name="path"/>; throws <see cref="InputException"/> listing every error.</summary>
    public static ModelConfig Load(string path)
    {
        var loader = new YamlDocumentLoader();
        var root = loader.LoadMapping(path);
        var errors = new InputErrorList();
        var map = new YamlMapReader(root, loader, YamlDocumentLoader.DisplayPath(path), "", errors);
        var model = Read(map);
        map.Finish();
        errors.ThrowIfAny();
        return model;
    }

    private static ModelConfig Read(YamlMapReader map)
    {
        var name = map.RequiredString("name");
        var hidden = map.RequiredInt("hidden_size");
        var layers = map.RequiredInt("num_layers");
        var vocab = map.RequiredInt("vocab_size");
        var tie = map.OptionalBool("tie_word_embeddings") ?? false;
        var attention = ReadAttention(map.RequiredMap("attention"));
        var moeMap = map.OptionalMap("moe");
        var moe = moeMap is null ? null : ReadMoe(moeMap, layers);
        var denseFfn = map.OptionalInt("dense_intermediate_size", min: 0) ?? 0;
        var model = new ModelConfig
        {
            Name = name,
            HiddenSize = hidden,
            NumLayers = layers,
            VocabSize = vocab,
            TieWordEmbeddings = tie,
            Attention = attention,
            Moe = moe,
            DenseIntermediateSize = denseFfn,
            DataTypes = ReadDataTypes(map.RequiredMap("data_types")),
        };
        var hasDenseLayer = Enumerable.Range(0, layers).Any(l => !model.IsMoeLayer(l));
        if (hasDenseLayer && denseFfn == 0)
            map.Error("dense_intermediate_size", "the model has dense layers, so this must be set and greater than zero");
        return model;
    }

    private static AttentionConfig ReadAttention(YamlMapReader? a)
    {
        if (a is null) return new AttentionConfig { Kind = AttentionKind.Mha, NumHeads = 1, NumKvHeads = 1, HeadDim = 1 };
        // Cross-field checks below run only on values that read cleanly: a bad value's
        // placeholder would otherwise raise a second, misleading error.
        var before = a.Errors.Count;
        var kind = a.RequiredEnum<AttentionKind>("kind");
        var kindOk = a.Errors.Count == before;
        before = a.Errors.Count;
        var heads = a.RequiredInt("num_heads");
        var headsOk = a.Errors.Count == before;
        AttentionConfig result;
        if (kind == AttentionKind.Mla)
        {
            result = new AttentionConfig
            {
                Kind = kind,
                NumHeads = heads,
                NumKvHeads = heads,
                HeadDim = 0,
                QLoraRank = a.OptionalInt("q_lora_rank", min: 0) ?? 0,
                KvLoraRank = a.RequiredInt("kv_lora_rank"),
                QkNopeHeadDim = a.RequiredInt("qk_nope_head_dim"),
                QkRopeHeadDim = a.RequiredInt("qk_rope_head_dim"),
                VHeadDim = a.RequiredInt("v_head_dim"),
            };
        }
        else
        {
            var kvHeads = kind == AttentionKind.Mha ? (a.OptionalInt("num_kv_heads") ?? heads) : a.RequiredInt("num_kv_heads");
            var checkable = kindOk && headsOk;
            if (checkable && kind == AttentionKind.Mha && kvHeads != heads)
                a.Error("num_kv_heads", $"MHA needs num_kv_heads equal to num_heads ({heads}); use kind: gqa");
            else if (checkable && (kvHeads > heads || heads % kvHeads != 0))
                a.Error("num_kv_heads", $"must divide num_heads ({heads}), got {kvHeads}");
            result = new AttentionConfig { Kind = kind, NumHeads = heads, NumKvHeads = kvHeads, HeadDim = a.RequiredInt("head_dim") };
        }
        a.Finish();
        return result;
    }

    private static MoeConfig ReadMoe(YamlMapReader m, int layers)
    {
        var before = m.Errors.Count;
        var experts = m.RequiredInt("num_experts");
        var expertsOk = m.Errors.Count == before;
        var topK = m.RequiredInt("top_k");
        if (topK > experts && expertsOk)
            m.Error("top_k", $"must not exceed num_experts ({experts}), got {topK}");
        var shared = m.OptionalInt("num_shared_experts", min: 0) ?? 0;
        var sharedWidth = m.OptionalInt("shared_expert_intermediate_size", min: 0) ?? 0;
        if (shared > 0 && sharedWidth == 0)
            m.Error("shared_expert_intermediate_size", "must be set when num_shared_experts > 0");
        var moe = new MoeConfig
        {
            NumExperts = experts,
            TopK = topK,
            ExpertIntermediateSize = m.RequiredInt("expert_intermediate_size"),
            NumSharedExperts = shared,
            SharedExpertIntermediateSize = sharedWidth,
            FirstMoeLayer = m.OptionalInt("first_moe_layer", min: 0, max: Math.Max(0, layers - 1)) ?? 0,
            MoeLayerInterval = m.OptionalInt("moe_layer_interval") ?? 1,
        };
        m.Finish();
        return moe;
    }

    private static ModelDataTypes ReadDataTypes(YamlMapReader? d)
    {
        if (d is null) return new ModelDataTypes { Weights = DataType.Bf16, Activations = DataType.Bf16, KvCache = DataType.Bf16 };
        var types = new ModelDataTypes
        {
            Weights = d.RequiredDataType("weights"),
            Activations = d.RequiredDataType("activations"),
            KvCache = d.RequiredDataType("kv_cache"),
        };
        d.Finish();
        return types;
    }
}
