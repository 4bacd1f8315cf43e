using System.Text.Json;

namespace MoESim.Traces.Formats;

/// <summary>
/// Parses one JSONL record line into a <see cref="JsonlRecord"/>: required fields request,
/// iteration, phase, first_token, layer, experts (and weights exactly when the header says so);
/// unknown or repeated fields are errors.
/// </summary>
internal sealed class JsonlRecordParser
{
    private const int HasRequest = 1, HasIteration = 2, HasPhase = 4, HasFirstToken = 8, HasLayer = 16, HasExperts = 32, HasWeights = 64;
    private const int Required = HasRequest | HasIteration | HasPhase | HasFirstToken | HasLayer | HasExperts;
    private readonly string _path;
    private readonly TraceShape _shape;
    private long _line;

    public JsonlRecordParser(string path, TraceShape shape)
    {
        _path = path;
        _shape = shape;
    }

    public void Parse(ReadOnlySpan<byte> text, long line, JsonlRecord record)
    {
        _line = line;
        var invalid = Utf8Validity.FirstInvalidByte(text);
        if (invalid >= 0) throw TraceFileOpener.AtLine(_path, line, invalid + 1, "json", Utf8Validity.Problem(text, invalid));
        var json = new Utf8JsonReader(text);
        try
        {
            ParseObject(ref json, record);
        }
        catch (JsonException ex)
        {
            throw TraceFileOpener.AtLine(_path, line, (int)(ex.BytePositionInLine ?? 0) + 1, "json", ex.Message);
        }
    }

    private void ParseObject(ref Utf8JsonReader json, JsonlRecord record)
    {
        if (!json.Read() || json.TokenType != JsonTokenType.StartObject) throw Fail(ref json, "record", "expected a JSON object");
        var seen = 0;
        int weightTokens = -1;
        while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
        {
            int flag;
            if (json.ValueTextEquals("request"u8)) { flag = HasRequest; json.Read(); record.Request = NonNegative(ref json, "request"); }
            else if (json.ValueTextEquals("iteration"u8)) { flag = HasIteration; json.Read(); record.Iteration = NonNegative(ref json, "iteration"); }
            else if (json.ValueTextEquals("first_token"u8)) { flag = HasFirstToken; json.Read(); record.FirstToken = NonNegative(ref json, "first_token"); }
            else if (json.ValueTextEquals("layer"u8))
            {
                flag = HasLayer;
                json.Read();
                record.Layer = NonNegative(ref json, "layer");
                if (record.Layer >= _shape.NumMoeLayers) throw Fail(ref json, "layer", $"layer {record.Layer} out of range 0..{_shape.NumMoeLayers - 1}");
            }
            else if (json.ValueTextEquals("phase"u8))
            {
                flag = HasPhase;
                json.Read();
                if (json.TokenType == JsonTokenType.String && json.ValueTextEquals("prefill"u8)) record.IsPrefill = true;
                else if (json.TokenType == JsonTokenType.String && json.ValueTextEquals("decode"u8)) record.IsPrefill = false;
                else throw Fail(ref json, "phase", "expected \"prefill\" or \"decode\"");
            }
            else if (json.ValueTextEquals("experts"u8)) { flag = HasExperts; json.Read(); record.TokenCount = ReadIds(ref json, record); }
            else if (json.ValueTextEquals("weights"u8))
            {
                flag = HasWeights;
                if (!_shape.HasGateWeights) throw Fail(ref json, "weights", "the header says gate_weights is false");
                json.Read();
                weightTokens = ReadWeights(ref json, record);
            }
            else throw Fail(ref json, json.GetString() ?? "", "unknown field (expected request, iteration, phase, first_token, layer, experts, weights)");
            if ((seen & flag) != 0) throw Fail(ref json, FieldName(flag), "appears twice");
            seen |= flag;
        }
        if (json.TokenType != JsonTokenType.EndObject) throw Fail(ref json, "record", "expected a field name or }");
        if (json.Read()) throw Fail(ref json, "record", "extra content after the record object");
        if ((seen & Required) != Required)
            throw Fail(ref json, FieldName(Required & ~seen), "missing");
        if (_shape.HasGateWeights && (seen & HasWeights) == 0) throw Fail(ref json, "weights", "missing (the header says gate_weights is true)");
        if (record.TokenCount == 0) throw Fail(ref json, "experts", "no tokens: a step has at least one token");
        if (weightTokens >= 0 && weightTokens != record.TokenCount)
            throw Fail(ref json, "weights", $"{weightTokens} tokens, but experts has {record.TokenCount}");
    }

    private static string FieldName(int flags) =>
        (flags & HasRequest) != 0 ? "request" : (flags & HasIteration) != 0 ? "iteration" : (flags & HasPhase) != 0 ? "phase"
        : (flags & HasFirstToken) != 0 ? "first_token" : (flags & HasLayer) != 0 ? "layer" : (flags & HasExperts) != 0 ? "experts" : "weights";

    private int NonNegative(ref Utf8JsonReader json, string field)
    {
        if (json.TokenType != JsonTokenType.Number || !json.TryGetInt32(out var value) || value < 0)
            throw Fail(ref json, field, "expected a whole number ≥ 0");
        return value;
    }

    private int ReadIds(ref Utf8JsonReader json, JsonlRecord record)
    {
        var k = _shape.TopK;
        if (json.TokenType != JsonTokenType.StartArray) throw Fail(ref json, "experts", "expected a list of per-token lists");
        var tokens = 0;
        while (json.Read() && json.TokenType == JsonTokenType.StartArray)
        {
            if ((tokens + 1) * k > record.Ids.Length) Array.Resize(ref record.Ids, record.Ids.Length * 2);
            var j = 0;
            while (json.Read() && json.TokenType != JsonTokenType.EndArray)
            {
                if (json.TokenType != JsonTokenType.Number || !json.TryGetInt32(out var id))
                    throw Fail(ref json, "experts", $"token {tokens}: expected whole-number expert ids");
                if (j < k) record.Ids[tokens * k + j] = id;
                j++;
            }
            if (j != k) throw Fail(ref json, "experts", $"token {tokens} has {j} experts, expected top_k = {k}");
            tokens++;
        }
        if (json.TokenType != JsonTokenType.EndArray) throw Fail(ref json, "experts", "expected a list of per-token lists");
        return tokens;
    }

    private int ReadWeights(ref Utf8JsonReader json, JsonlRecord record)
    {
        var k = _shape.TopK;
        if (json.TokenType != JsonTokenType.StartArray) throw Fail(ref json, "weights", "expected a list of per-token lists");
        var tokens = 0;
        while (json.Read() && json.TokenType == JsonTokenType.StartArray)
        {
            if ((tokens + 1) * k > record.Weights.Length) Array.Resize(ref record.Weights, record.Weights.Length * 2);
            var j = 0;
            while (json.Read() && json.TokenType != JsonTokenType.EndArray)
            {
                if (json.TokenType != JsonTokenType.Number || !json.TryGetSingle(out var w) || !float.IsFinite(w))
                    throw Fail(ref json, "weights", $"token {tokens}: expected finite numbers");
                if (j < k) record.Weights[tokens * k + j] = w;
                j++;
            }
            if (j != k) throw Fail(ref json, "weights", $"token {tokens} has {j} weights, expected top_k = {k}");
            tokens++;
        }
        if (json.TokenType != JsonTokenType.EndArray) throw Fail(ref json, "weights", "expected a list of per-token lists");
        return tokens;
    }

    private Config.InputException Fail(ref Utf8JsonReader json, string field, string problem) =>
        TraceFileOpener.AtLine(_path, _line, (int)json.TokenStartIndex + 1, field, problem);
}
