using System.Text.Json;
using MoESim.Config;
using MoESim.Units;

namespace MoESim.Models;

/// <summary>
/// Reads a Hugging Face <c>config.json</c> into a <see cref="ModelConfig"/>, so users never
/// retype a published architecture. Supported <c>model_type</c>s: mixtral, deepseek_v2,
/// deepseek_v3, qwen3_moe, olmoe and (dense) llama. Every problem is reported as an
/// <see cref="InputException"/> naming the file, line:col where known, and the JSON key.
/// </summary>
public static class HuggingFaceConfigImporter
{
    /// <summary>The <c>model_type</c> values this importer understands.</summary>
    public static IReadOnlyList<string> SupportedModelTypes { get; } =
        new[] { "mixtral", "deepseek_v2", "deepseek_v3", "qwen3_moe", "olmoe", "llama" };

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        // Hand-edited configs sometimes carry comments or trailing commas; neither changes meaning.
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>
    /// Imports <paramref name="configJsonPath"/>. The model is named <paramref name="nameOverride"/>
    /// when given, else after the folder holding a file called <c>config.json</c> (the usual
    /// layout of a downloaded checkpoint), else after the file itself; lower-cased.
    /// </summary>
    /// <exception cref="InputException">The file is missing, malformed, of an unsupported family,
    /// or lacks or mistypes a key the family needs; lists every problem found.</exception>
    public static ModelConfig Import(string configJsonPath, string? nameOverride = null)
    {
        var display = YamlDocumentLoader.DisplayPath(configJsonPath);
        if (!File.Exists(configJsonPath))
            throw new InputException(display, "", "file not found");
        if (nameOverride is not null && string.IsNullOrWhiteSpace(nameOverride))
            throw new InputException(display, "name", "the model name must not be empty");
        var bytes = File.ReadAllBytes(configJsonPath);
        // Utf8JsonReader rejects a byte-order mark, which some Windows editors add.
        var utf8 = bytes.AsMemory();
        if (utf8.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) utf8 = utf8[3..];

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException ex)
        {
            // JsonException positions are 0-based; ours are 1-based like the YAML loaders'.
            var line = ex.LineNumber is { } l ? (int)l + 1 : 0;
            var column = ex.BytePositionInLine is { } c ? (int)c + 1 : 0;
            throw new InputException(new InputError(display, line, column, "", $"malformed JSON: {CleanMessage(ex.Message)}"));
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new InputException(new InputError(display, 1, 1, "", "expected a JSON object ({ ... }) at the top level"));
            var positions = JsonPositionIndex.Build(utf8.Span, new JsonReaderOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
            var errors = new InputErrorList();
            var json = new JsonObjectReader(document.RootElement, display, "", positions, errors);
            var model = Read(json, nameOverride ?? DefaultName(configJsonPath));
            errors.ThrowIfAny();
            return model;
        }
    }

    private static ModelConfig Read(JsonObjectReader json, string name)
    {
        var modelType = json.RequiredString("model_type");
        if (!SupportedModelTypes.Contains(modelType, StringComparer.Ordinal))
        {
            if (json.Has("model_type") && json.Errors.Count == 0)
                json.Error("model_type", $"unsupported model type '{modelType}' (supported: {string.Join(", ", SupportedModelTypes)})");
            // Without a family nothing else can be read meaningfully.
            json.Errors.ThrowIfAny();
        }
        var hidden = json.RequiredInt("hidden_size");
        var layers = json.RequiredInt("num_hidden_layers");
        var vocab = json.RequiredInt("vocab_size");
        var heads = json.RequiredInt("num_attention_heads");
        // Every supported family's transformers config class defaults this to false.
        var tie = json.OptionalBool("tie_word_embeddings") ?? false;
        var isDeepSeek = modelType.StartsWith("deepseek_", StringComparison.Ordinal);
        var attention = isDeepSeek ? ReadMla(json, heads) : ReadGqa(json, hidden, heads);
        var (moe, denseWidth) = modelType switch
        {
            "mixtral" => HuggingFaceFamilies.ReadMixtralOrOlmoe(json, "num_local_experts"),
            "olmoe" => HuggingFaceFamilies.ReadMixtralOrOlmoe(json, "num_experts"),
            "deepseek_v2" or "deepseek_v3" => HuggingFaceFamilies.ReadDeepSeek(json, layers),
            "qwen3_moe" => HuggingFaceFamilies.ReadQwen3Moe(json, layers),
            _ => (null, json.RequiredInt("intermediate_size")),
        };
        return new ModelConfig
        {
            Name = name,
            HiddenSize = hidden,
            NumLayers = layers,
            VocabSize = vocab,
            TieWordEmbeddings = tie,
            Attention = attention,
            DenseIntermediateSize = denseWidth,
            Moe = moe,
            DataTypes = ReadDataTypes(json),
        };
    }

    private static AttentionConfig ReadGqa(JsonObjectReader json, int hidden, int heads)
    {
        // Absent num_key_value_heads means plain multi-head attention in transformers.
        var kvHeads = json.OptionalInt("num_key_value_heads") ?? heads;
        if (json.IsValid("num_attention_heads") && (kvHeads > heads || heads % kvHeads != 0))
            json.Error("num_key_value_heads", $"must divide num_attention_heads ({heads}), got {kvHeads}");
        // Qwen3 (and newer Llama/Mistral configs) state head_dim; it need not be hidden / heads.
        var headDim = json.OptionalInt("head_dim");
        if (headDim is null && json.IsValid("hidden_size") && json.IsValid("num_attention_heads") && hidden % heads != 0)
            json.Error("head_dim", $"missing, and hidden_size ({hidden}) is not a multiple of num_attention_heads ({heads})");
        return new AttentionConfig
        {
            Kind = kvHeads == heads ? AttentionKind.Mha : AttentionKind.Gqa,
            NumHeads = heads,
            NumKvHeads = kvHeads,
            HeadDim = headDim ?? Math.Max(1, hidden / heads),
        };
    }

    private static AttentionConfig ReadMla(JsonObjectReader json, int heads) => new()
    {
        Kind = AttentionKind.Mla,
        NumHeads = heads,
        // Same conventions as ModelLoader, so imported and loaded models compare equal.
        NumKvHeads = heads,
        HeadDim = 0,
        // DeepSeek-V2-Lite sets q_lora_rank to null: queries are projected directly.
        QLoraRank = json.OptionalInt("q_lora_rank", min: 0) ?? 0,
        KvLoraRank = json.RequiredInt("kv_lora_rank"),
        QkNopeHeadDim = json.RequiredInt("qk_nope_head_dim"),
        QkRopeHeadDim = json.RequiredInt("qk_rope_head_dim"),
        VHeadDim = json.RequiredInt("v_head_dim"),
    };

    private static ModelDataTypes ReadDataTypes(JsonObjectReader json)
    {
        // transformers >= 4.56 writes "dtype"; older releases "torch_dtype".
        var key = json.Has("torch_dtype") || !json.Has("dtype") ? "torch_dtype" : "dtype";
        var text = json.OptionalString(key);
        // Without a stated dtype, assume bf16: what every supported family is served in.
        var stored = DataType.Bf16;
        if (text is not null && !(TryParseTorchDtype(text, out stored)))
            json.Error(key, $"unsupported dtype '{text}' (expected bfloat16, float16 or float32)");
        var weights = stored;
        var quant = json.OptionalObject("quantization_config");
        if (quant is not null)
            weights = ReadQuantization(quant) ?? weights;
        return new ModelDataTypes { Weights = weights, Activations = stored, KvCache = stored };
    }

    private static bool TryParseTorchDtype(string text, out DataType type)
    {
        var name = text.StartsWith("torch.", StringComparison.Ordinal) ? text["torch.".Length..] : text;
        type = name switch { "bfloat16" => DataType.Bf16, "float16" or "half" => DataType.Fp16, "float32" or "float" => DataType.Fp32, _ => DataType.Bf16 };
        return name is "bfloat16" or "float16" or "half" or "float32" or "float";
    }

    /// <summary>The stored weight type a quantization_config implies (null after an error).</summary>
    private static DataType? ReadQuantization(JsonObjectReader quant)
    {
        var method = quant.RequiredString("quant_method");
        switch (method)
        {
            case "fp8":
                return DataType.Fp8; // DeepSeek-V3: block-scaled e4m3 weights; scales are negligible
            case "gptq" or "awq":
                var bits = quant.RequiredInt("bits");
                if (bits is 4 or 8) return bits == 4 ? DataType.Int4 : DataType.Int8;
                quant.Error("bits", $"only 4- and 8-bit weights are modelled, got {bits}");
                return null;
            case "":
                return null; // missing quant_method was already reported
            default:
                quant.Error("quant_method", $"unsupported quantization method '{method}' (supported: fp8, gptq, awq)");
                return null;
        }
    }

    /// <summary>The model name used when none is given: see <see cref="Import"/>.</summary>
    public static string DefaultName(string configJsonPath)
    {
        var full = Path.GetFullPath(configJsonPath);
        var fileName = Path.GetFileName(full);
        var folder = Path.GetFileName(Path.GetDirectoryName(full) ?? "");
        var name = fileName.Equals("config.json", StringComparison.OrdinalIgnoreCase) && folder.Length > 0
            ? folder
            : Path.GetFileNameWithoutExtension(fileName);
        return name.ToLowerInvariant();
    }

    /// <summary>Drops the position suffix System.Text.Json appends; we print the position ourselves.</summary>
    private static string CleanMessage(string message)
    {
        foreach (var marker in new[] { " Path: ", " LineNumber: " })
        {
            var idx = message.IndexOf(marker, StringComparison.Ordinal);
            if (idx >= 0) message = message[..idx];
        }
        return message.Trim();
    }
}
