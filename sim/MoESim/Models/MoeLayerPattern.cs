namespace MoESim.Models;

/// <summary>
/// Maps a per-layer "is this layer MoE?" list onto <see cref="MoeConfig"/>'s
/// <c>FirstMoeLayer</c> + <c>MoeLayerInterval</c> form. Hugging Face families spell the layer
/// pattern differently (DeepSeek: <c>layer &gt;= first_k_dense_replace &amp;&amp; layer % moe_layer_freq == 0</c>;
/// Qwen3-MoE: <c>(layer + 1) % decoder_sparse_step == 0</c> minus <c>mlp_only_layers</c>), so
/// the importer evaluates each family's own rule per layer and fits the result here, rather
/// than translating formulas that only agree in common cases.
/// </summary>
internal static class MoeLayerPattern
{
    /// <summary>
    /// The (first, interval) pair reproducing <paramref name="isMoe"/> exactly, or null when no
    /// such pair exists. Requires at least one MoE layer.
    /// </summary>
    public static (int First, int Interval)? Fit(IReadOnlyList<bool> isMoe)
    {
        var moeLayers = new List<int>();
        for (var l = 0; l < isMoe.Count; l++)
            if (isMoe[l]) moeLayers.Add(l);
        if (moeLayers.Count == 0) return null;
        var first = moeLayers[0];
        // A single MoE layer: any interval that steps past the last layer describes it.
        var interval = moeLayers.Count > 1 ? moeLayers[1] - first : Math.Max(1, isMoe.Count - first);
        for (var l = 0; l < isMoe.Count; l++)
        {
            var predicted = l >= first && (l - first) % interval == 0;
            if (predicted != isMoe[l]) return null;
        }
        return (first, interval);
    }

    /// <summary>Formats layer indices compactly for error messages, e.g. "0-2, 5, 7".</summary>
    public static string Describe(IReadOnlyList<bool> isMoe)
    {
        var parts = new List<string>();
        var l = 0;
        while (l < isMoe.Count)
        {
            if (!isMoe[l]) { l++; continue; }
            var start = l;
            while (l + 1 < isMoe.Count && isMoe[l + 1]) l++;
            parts.Add(start == l ? $"{start}" : $"{start}-{l}");
            l++;
        }
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }
}
