using System.Globalization;
using MoESim.Config;

namespace MoESim.Traces.Synthetic;

/// <summary>Checks a <see cref="TraceGeneratorConfig"/> and reports every bad field at once.</summary>
public static class TraceGeneratorConfigValidator
{
    /// <summary>Throws <see cref="InputException"/> naming <paramref name="source"/> and each bad field.</summary>
    public static void Validate(TraceGeneratorConfig config, string source)
    {
        var errors = new List<InputError>();
        void Bad(string field, string problem) => errors.Add(new InputError(source, 0, 0, field, problem));
        if (config.NumMoeLayers < 1) Bad("layers", $"must be at least 1 (got {config.NumMoeLayers})");
        if (config.NumExperts is < 1 or > 65_535) Bad("experts", $"must be in 1..65535 (got {config.NumExperts})");
        if (config.TopK < 1 || config.TopK > config.NumExperts) Bad("top_k", $"must be in 1..{config.NumExperts} (got {config.TopK})");
        if (config.SuccessorSetSize < 1 || config.SuccessorSetSize > config.NumExperts)
            Bad("successor_set_size", $"must be in 1..{config.NumExperts} (got {config.SuccessorSetSize})");
        if (config.PrefillChunkTokens < 1) Bad("prefill_chunk_tokens", $"must be at least 1 (got {config.PrefillChunkTokens})");
        Phase(config, config.Prefill, "prefill", Bad);
        Phase(config, config.Decode, "decode", Bad);
        if (errors.Count > 0) throw new InputException(errors);
    }

    private static void Phase(TraceGeneratorConfig config, RoutingPhaseParameters p, string name, Action<string, string> bad)
    {
        var inv = CultureInfo.InvariantCulture;
        if (!(p.ZipfExponent is >= 0 and <= 4)) bad($"{name}.zipf", string.Create(inv, $"must be in [0, 4] (got {p.ZipfExponent})"));
        if (!(p.Locality is >= 0 and < 1)) bad($"{name}.locality", string.Create(inv, $"must be in [0, 1) (got {p.Locality})"));
        if (!(p.Affinity is >= 0 and <= 1)) bad($"{name}.affinity", string.Create(inv, $"must be in [0, 1] (got {p.Affinity})"));
        if (p.Histogram is not { } h) return;
        if (h.Length != config.NumMoeLayers)
        {
            bad($"{name}.histogram", $"has {h.Length} layers, the model has {config.NumMoeLayers} MoE layers");
            return;
        }
        for (var l = 0; l < h.Length; l++)
        {
            if (h[l] is null || h[l].Length != config.NumExperts)
            {
                bad($"{name}.histogram[{l}]", $"has {h[l]?.Length ?? 0} experts, the model has {config.NumExperts}");
                continue;
            }
            var sum = 0.0;
            var positive = 0;
            foreach (var w in h[l])
            {
                if (!double.IsFinite(w) || w < 0) { bad($"{name}.histogram[{l}]", "weights must be finite and ≥ 0"); sum = double.NaN; break; }
                sum += w;
                if (w > 0) positive++;
            }
            if (sum == 0) bad($"{name}.histogram[{l}]", "weights sum to zero");
            // A token takes k distinct experts, so at least k must be possible.
            else if (positive < config.TopK && sum > 0) bad($"{name}.histogram[{l}]", $"has {positive} expert(s) of positive weight, fewer than top_k = {config.TopK}");
        }
    }
}
