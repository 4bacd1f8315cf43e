using System.Globalization;
using System.Text.Json;
using MoESim.Config;

namespace MoESim.Models;

/// <summary>
/// Typed, validating access to one JSON object of a Hugging Face config. Like
/// <see cref="YamlMapReader"/>, a failed read records an error (file, line:col, dotted key) and
/// returns a placeholder, so one import reports every problem at once. Unknown keys are fine
/// here: config.json files carry many training-only keys the simulator has no use for.
/// A JSON <c>null</c> counts as absent, as it does in the transformers config classes.
/// </summary>
internal sealed class JsonObjectReader
{
    private readonly JsonElement _element;
    private readonly JsonPositionIndex _positions;
    private readonly HashSet<string> _failed = new(StringComparer.Ordinal);

    public JsonObjectReader(JsonElement element, string file, string path, JsonPositionIndex positions, InputErrorList errors)
    {
        _element = element;
        File = file;
        Path = path;
        _positions = positions;
        Errors = errors;
    }

    public string File { get; }
    public string Path { get; }
    public InputErrorList Errors { get; }

    private string FieldName(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>Records an error at <paramref name="key"/>'s value (or at this object when the key is absent).</summary>
    public void Error(string key, string problem)
    {
        _failed.Add(key);
        var (line, column) = _positions.Of(FieldName(key));
        if (line == 0) (line, column) = _positions.Of(Path);
        Errors.Add(File, line, column, FieldName(key), problem);
    }

    /// <summary>
    /// Whether <paramref name="key"/> was present and read without error. Cross-field checks
    /// use it so a bad value's placeholder does not raise a second, misleading error.
    /// </summary>
    public bool IsValid(string key) => Has(key) && !_failed.Contains(key);

    /// <summary>Whether <paramref name="key"/> is present with a non-null value.</summary>
    public bool Has(string key) => Get(key) is not null;

    private JsonElement? Get(string key) =>
        _element.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the text \"{value.GetString()}\"",
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => value.GetRawText(),
    };

    /// <summary>A whole number &gt;= <paramref name="min"/>; returns a harmless placeholder after an error.</summary>
    public int RequiredInt(string key, int min = 1) => ReadInt(key, required: true, min) ?? Math.Max(min, 1);

    /// <summary>A whole number &gt;= <paramref name="min"/>, or null when absent.</summary>
    public int? OptionalInt(string key, int min = 1) => ReadInt(key, required: false, min);

    private int? ReadInt(string key, bool required, int min)
    {
        if (Get(key) is not { } value)
        {
            if (required) Error(key, "required field is missing (a whole number)");
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
        {
            Error(key, $"expected a whole number, got {Describe(value)}");
            return null;
        }
        if (number < min)
        {
            Error(key, $"must be at least {min.ToString(CultureInfo.InvariantCulture)}, got {number}");
            return null;
        }
        return number;
    }

    /// <summary>Text, or null when absent.</summary>
    public string? OptionalString(string key) => ReadString(key, required: false);

    /// <summary>Text; records an error and returns "" when absent.</summary>
    public string RequiredString(string key) => ReadString(key, required: true) ?? "";

    private string? ReadString(string key, bool required)
    {
        if (Get(key) is not { } value)
        {
            if (required) Error(key, "required field is missing (text)");
            return null;
        }
        if (value.ValueKind == JsonValueKind.String) return value.GetString();
        Error(key, $"expected text, got {Describe(value)}");
        return null;
    }

    /// <summary>true or false, or null when absent.</summary>
    public bool? OptionalBool(string key)
    {
        if (Get(key) is not { } value) return null;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        Error(key, $"expected true or false, got {Describe(value)}");
        return null;
    }

    /// <summary>A list of whole numbers &gt;= <paramref name="min"/>; empty when absent.</summary>
    public IReadOnlyList<int> OptionalIntList(string key, int min = 0)
    {
        if (Get(key) is not { } value) return Array.Empty<int>();
        if (value.ValueKind != JsonValueKind.Array)
        {
            Error(key, $"expected a list of whole numbers, got {Describe(value)}");
            return Array.Empty<int>();
        }
        var result = new List<int>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out var n) && n >= min)
                result.Add(n);
            else
                Error(key, $"expected whole numbers >= {min} in the list, got {Describe(item)}");
        }
        return result;
    }

    /// <summary>A nested object, or null when absent.</summary>
    public JsonObjectReader? OptionalObject(string key)
    {
        if (Get(key) is not { } value) return null;
        if (value.ValueKind == JsonValueKind.Object)
            return new JsonObjectReader(value, File, FieldName(key), _positions, Errors);
        Error(key, $"expected an object, got {Describe(value)}");
        return null;
    }
}
