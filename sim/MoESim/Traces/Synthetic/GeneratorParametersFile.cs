using System.Globalization;
using System.Text;
using System.Text.Json;
using MoESim.Config;
using MoESim.IO;

namespace MoESim.Traces.Synthetic;

/// <summary>
/// Reads and writes a <see cref="TraceGeneratorConfig"/> as JSON (what <c>trace gen --fit</c>
/// writes and <c>trace gen --params</c> reads). Keys: model, layers, experts, top_k, seed,
/// successor_set_size, prefill_chunk_tokens, prefill and decode (each: zipf, locality, affinity,
/// optional histogram [layer][expert]). Unknown keys are errors.
/// </summary>
public static class GeneratorParametersFile
{
    private static readonly string[] TopKeys = ["model", "layers", "experts", "top_k", "seed", "successor_set_size", "prefill_chunk_tokens", "prefill", "decode"];
    private static readonly string[] PhaseKeys = ["zipf", "locality", "affinity", "histogram"];

    /// <summary>Writes <paramref name="config"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, TraceGeneratorConfig config)
    {
        AtomicFile.Write(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            w.WriteString("model", config.ModelName);
            w.WriteNumber("layers", config.NumMoeLayers);
            w.WriteNumber("experts", config.NumExperts);
            w.WriteNumber("top_k", config.TopK);
            w.WriteNumber("seed", config.Seed);
            w.WriteNumber("successor_set_size", config.SuccessorSetSize);
            w.WriteNumber("prefill_chunk_tokens", config.PrefillChunkTokens);
            WritePhase(w, "prefill", config.Prefill);
            WritePhase(w, "decode", config.Decode);
            w.WriteEndObject();
        });
    }

    private static void WritePhase(Utf8JsonWriter w, string name, RoutingPhaseParameters p)
    {
        w.WriteStartObject(name);
        w.WriteNumber("zipf", Math.Round(p.ZipfExponent, 6));
        w.WriteNumber("locality", Math.Round(p.Locality, 6));
        w.WriteNumber("affinity", Math.Round(p.Affinity, 6));
        if (p.Histogram is { } h)
        {
            w.WriteStartArray("histogram");
            foreach (var layer in h)
            {
                w.WriteStartArray();
                foreach (var x in layer) w.WriteNumberValue(Math.Round(x, 3));
                w.WriteEndArray();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>Reads and validates a parameters file; every problem names the file and field.</summary>
    public static TraceGeneratorConfig Read(string path)
    {
        var display = YamlDocumentLoader.DisplayPath(path);
        if (!File.Exists(path)) throw new InputException(display, "", "file not found");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllBytes(path)); }
        catch (JsonException ex) { throw new InputException(new InputError(display, (int)(ex.LineNumber ?? -1) + 1, (int)(ex.BytePositionInLine ?? -1) + 1, "", $"not valid JSON: {ex.Message}")); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InputException(display, "", "expected a JSON object");
            CheckKeys(root, TopKeys, "", display);
            var config = new TraceGeneratorConfig
            {
                ModelName = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "",
                NumMoeLayers = Int(root, "layers", display),
                NumExperts = Int(root, "experts", display),
                TopK = Int(root, "top_k", display),
                Seed = root.TryGetProperty("seed", out var s) && s.TryGetUInt64(out var seed) ? seed : throw new InputException(display, "seed", "required, a non-negative integer"),
                SuccessorSetSize = root.TryGetProperty("successor_set_size", out _) ? Int(root, "successor_set_size", display) : 2,
                PrefillChunkTokens = root.TryGetProperty("prefill_chunk_tokens", out _) ? Int(root, "prefill_chunk_tokens", display) : 512,
                Prefill = Phase(root, "prefill", display),
                Decode = Phase(root, "decode", display),
            };
            TraceGeneratorConfigValidator.Validate(config, display);
            return config;
        }
    }

    private static void CheckKeys(JsonElement e, string[] known, string prefix, string display)
    {
        foreach (var p in e.EnumerateObject())
            if (Array.IndexOf(known, p.Name) < 0)
                throw new InputException(display, prefix + p.Name, $"unknown key (expected one of {string.Join(", ", known)})");
    }

    private static int Int(JsonElement e, string key, string display) =>
        e.TryGetProperty(key, out var v) && v.TryGetInt32(out var i) ? i : throw new InputException(display, key, "required, an integer");

    private static double Double(JsonElement e, string key, string field, string display) =>
        !e.TryGetProperty(key, out var v) ? 0 : v.TryGetDouble(out var d) ? d : throw new InputException(display, field, "must be a number");

    private static RoutingPhaseParameters Phase(JsonElement root, string name, string display)
    {
        if (!root.TryGetProperty(name, out var p) || p.ValueKind != JsonValueKind.Object)
            throw new InputException(display, name, "required, an object with zipf, locality, affinity and optional histogram");
        CheckKeys(p, PhaseKeys, name + ".", display);
        double[][]? histogram = null;
        if (p.TryGetProperty("histogram", out var h))
        {
            if (h.ValueKind != JsonValueKind.Array) throw new InputException(display, $"{name}.histogram", "must be an array of per-layer arrays");
            histogram = new double[h.GetArrayLength()][];
            var l = 0;
            foreach (var layer in h.EnumerateArray())
            {
                if (layer.ValueKind != JsonValueKind.Array) throw new InputException(display, $"{name}.histogram[{l}]", "must be an array of numbers");
                histogram[l] = layer.EnumerateArray().Select(x => x.TryGetDouble(out var d) ? d : throw new InputException(display, $"{name}.histogram[{l}]", "must hold numbers only")).ToArray();
                l++;
            }
        }
        return new RoutingPhaseParameters
        {
            ZipfExponent = Double(p, "zipf", $"{name}.zipf", display),
            Locality = Double(p, "locality", $"{name}.locality", display),
            Affinity = Double(p, "affinity", $"{name}.affinity", display),
            Histogram = histogram,
        };
    }
}
