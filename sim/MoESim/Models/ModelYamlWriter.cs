using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using MoESim.Units;

namespace MoESim.Models;

/// <summary>
/// Writes a <see cref="ModelConfig"/> in the models/*.yaml layout that <see cref="ModelLoader"/>
/// reads, so an imported model can be checked in and edited like the shipped ones.
/// </summary>
public static partial class ModelYamlWriter
{
    /// <summary>
    /// Writes <paramref name="model"/> to <paramref name="path"/>, replacing any existing file
    /// atomically: readers see the old file or the whole new one, never a partial write.
    /// </summary>
    /// <param name="model">The model to write.</param>
    /// <param name="path">Destination file; its folder is created if missing.</param>
    /// <param name="sourceComment">Where the numbers came from (e.g. the imported config.json);
    /// written as a <c># source:</c> comment line, as every shipped model has.</param>
    public static void Write(ModelConfig model, string path, string sourceComment)
    {
        var text = ToYaml(model, sourceComment);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(folder);
        // The temporary file lives in the destination folder so the final move is a rename on
        // one file system, which is atomic; a crash leaves at most a stray .tmp file.
        var temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temp, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>The YAML text <see cref="Write"/> puts in the file.</summary>
    public static string ToYaml(ModelConfig model, string sourceComment)
    {
        var y = new StringBuilder();
        // Line breaks in the comment would end the comment and corrupt the file.
        y.Append("# source: ").Append(sourceComment.ReplaceLineEndings(" ")).Append('\n');
        y.Append("name: ").Append(Scalar(model.Name)).Append('\n');
        Line(y, 0, "hidden_size", model.HiddenSize);
        Line(y, 0, "num_layers", model.NumLayers);
        Line(y, 0, "vocab_size", model.VocabSize);
        y.Append("tie_word_embeddings: ").Append(model.TieWordEmbeddings ? "true" : "false").Append('\n');
        if (model.DenseIntermediateSize > 0)
            Line(y, 0, "dense_intermediate_size", model.DenseIntermediateSize);

        var a = model.Attention;
        y.Append("attention:\n");
        y.Append("  kind: ").Append(a.Kind.ToString().ToLowerInvariant()).Append('\n');
        Line(y, 1, "num_heads", a.NumHeads);
        if (a.Kind == AttentionKind.Mla)
        {
            Line(y, 1, "q_lora_rank", a.QLoraRank);
            Line(y, 1, "kv_lora_rank", a.KvLoraRank);
            Line(y, 1, "qk_nope_head_dim", a.QkNopeHeadDim);
            Line(y, 1, "qk_rope_head_dim", a.QkRopeHeadDim);
            Line(y, 1, "v_head_dim", a.VHeadDim);
        }
        else
        {
            Line(y, 1, "num_kv_heads", a.NumKvHeads);
            Line(y, 1, "head_dim", a.HeadDim);
        }

        if (model.Moe is { } m)
        {
            y.Append("moe:\n");
            Line(y, 1, "num_experts", m.NumExperts);
            Line(y, 1, "top_k", m.TopK);
            Line(y, 1, "expert_intermediate_size", m.ExpertIntermediateSize);
            // Defaults are left out, as in the shipped files, so a plain MoE model reads plainly.
            if (m.NumSharedExperts > 0 || m.SharedExpertIntermediateSize > 0)
            {
                Line(y, 1, "num_shared_experts", m.NumSharedExperts);
                Line(y, 1, "shared_expert_intermediate_size", m.SharedExpertIntermediateSize);
            }
            if (m.FirstMoeLayer != 0) Line(y, 1, "first_moe_layer", m.FirstMoeLayer);
            if (m.MoeLayerInterval != 1) Line(y, 1, "moe_layer_interval", m.MoeLayerInterval);
        }

        y.Append("data_types:\n");
        y.Append("  weights: ").Append(DataTypes.Name(model.DataTypes.Weights)).Append('\n');
        y.Append("  activations: ").Append(DataTypes.Name(model.DataTypes.Activations)).Append('\n');
        y.Append("  kv_cache: ").Append(DataTypes.Name(model.DataTypes.KvCache)).Append('\n');
        return y.ToString();
    }

    private static void Line(StringBuilder y, int indent, string key, int value) =>
        y.Append(' ', 2 * indent).Append(key).Append(": ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    /// <summary>
    /// A name as a YAML scalar: plain when it cannot be misread, else double-quoted. Plain
    /// "null", "~" or "true" would read back as a missing or non-text value.
    /// </summary>
    private static string Scalar(string text)
    {
        if (PlainName().IsMatch(text) && text.ToLowerInvariant() is not ("null" or "true" or "false" or "yes" or "no" or "on" or "off"))
            return text;
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case '\n': quoted.Append("\\n"); break;
                case '\t': quoted.Append("\\t"); break;
                default:
                    if (char.IsControl(c)) quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else quoted.Append(c);
                    break;
            }
        }
        return quoted.Append('"').ToString();
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9._/+-]*$")]
    private static partial Regex PlainName();
}
