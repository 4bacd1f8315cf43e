using System.Text.Json;
using MoESim.Config;

namespace MoESim.Traces.Formats;

/// <summary>Parses and checks the JSONL trace header line (line 1).</summary>
internal static class JsonlHeaderParser
{
    public static TraceShape Parse(string path, ReadOnlySpan<byte> line)
    {
        var invalid = Utf8Validity.FirstInvalidByte(line);
        if (invalid >= 0) throw TraceFileOpener.AtLine(path, 1, invalid + 1, "header", Utf8Validity.Problem(line, invalid));
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line.ToArray());
        }
        catch (JsonException ex)
        {
            throw TraceFileOpener.AtLine(path, 1, (int)(ex.BytePositionInLine ?? 0) + 1, "header", ex.Message);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw TraceFileOpener.AtLine(path, 1, 1, "header", "expected a JSON object");
            var errors = new InputErrorList();
            string? format = null, model = null;
            int? version = null, layers = null, experts = null, topK = null;
            bool? weights = null;
            foreach (var p in root.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "format": format = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : "?"; break;
                    case "version": version = Int(p.Value); break;
                    case "model": model = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : null; break;
                    case "moe_layers": layers = Int(p.Value); break;
                    case "experts": experts = Int(p.Value); break;
                    case "top_k": topK = Int(p.Value); break;
                    case "gate_weights": weights = p.Value.ValueKind is JsonValueKind.True or JsonValueKind.False ? p.Value.GetBoolean() : null; break;
                    default: errors.Add(path, 1, 0, p.Name, "unknown header field (expected format, version, model, moe_layers, experts, top_k, gate_weights)"); break;
                }
            }
            if (format != JsonlTraceFormat.FormatTag)
                errors.Add(path, 1, 0, "format", $"expected \"{JsonlTraceFormat.FormatTag}\" (is line 1 the trace header?)");
            if (version != JsonlTraceFormat.Version)
                errors.Add(path, 1, 0, "version", $"unsupported version {version?.ToString() ?? "(missing)"}; this MoESim reads version {JsonlTraceFormat.Version}");
            if (layers is null or < 1) errors.Add(path, 1, 0, "moe_layers", "expected a whole number ≥ 1");
            if (experts is null or < 1 or > 65535) errors.Add(path, 1, 0, "experts", "expected a whole number in 1..65535");
            if (topK is null or < 1 || (experts is > 0 && topK > experts)) errors.Add(path, 1, 0, "top_k", "expected a whole number in 1..experts");
            if (model is null) errors.Add(path, 1, 0, "model", "expected a string (may be empty)");
            if (weights is null) errors.Add(path, 1, 0, "gate_weights", "expected true or false");
            errors.ThrowIfAny();
            return new TraceShape { NumMoeLayers = layers!.Value, NumExperts = experts!.Value, TopK = topK!.Value, HasGateWeights = weights!.Value, ModelName = model ?? "" };
        }
    }

    private static int? Int(JsonElement e) => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v) ? v : null;
}
