using System.Text;
using System.Text.Json;

namespace MoESim.Models;

/// <summary>
/// Where each named value of a JSON document starts (1-based line and column), keyed by its
/// dotted path ("" for the root, "quantization_config.quant_method" for nested keys).
/// </summary>
/// <remarks>
/// <see cref="JsonDocument"/> keeps no positions, so error messages about a wrong value would
/// otherwise name only the file; one extra forward-only pass over the bytes recovers them.
/// Values inside arrays are not indexed: errors there point at the array itself.
/// </remarks>
internal sealed class JsonPositionIndex
{
    private readonly Dictionary<string, (int Line, int Column)> _positions = new(StringComparer.Ordinal);

    private JsonPositionIndex() { }

    /// <summary>The position of the value at <paramref name="path"/>, or (0, 0) when unknown.</summary>
    public (int Line, int Column) Of(string path) => _positions.TryGetValue(path, out var p) ? p : (0, 0);

    /// <summary>Indexes <paramref name="utf8"/>, which must already have parsed without error.</summary>
    public static JsonPositionIndex Build(ReadOnlySpan<byte> utf8, JsonReaderOptions options)
    {
        var index = new JsonPositionIndex();
        var lineStarts = new List<int> { 0 };
        for (var i = 0; i < utf8.Length; i++)
            if (utf8[i] == (byte)'\n') lineStarts.Add(i + 1);

        var reader = new Utf8JsonReader(utf8, options);
        // Each open container's path; null for arrays, whose elements are not indexed.
        var containers = new Stack<string?>();
        string? pendingName = null;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                pendingName = reader.GetString();
                continue;
            }
            if (reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
            {
                containers.Pop();
                continue;
            }
            string? path;
            if (containers.Count == 0) path = "";
            else if (pendingName is not null && containers.Peek() is { } parent) path = parent.Length == 0 ? pendingName : $"{parent}.{pendingName}";
            else path = null;
            pendingName = null;
            if (path is not null)
                index._positions[path] = ToLineColumn(utf8, lineStarts, checked((int)reader.TokenStartIndex));
            if (reader.TokenType == JsonTokenType.StartObject) containers.Push(path);
            else if (reader.TokenType == JsonTokenType.StartArray) containers.Push(null);
        }
        return index;
    }

    private static (int, int) ToLineColumn(ReadOnlySpan<byte> utf8, List<int> lineStarts, int offset)
    {
        var line = lineStarts.BinarySearch(offset);
        if (line < 0) line = ~line - 1;
        // Columns count characters, not bytes, so non-ASCII text earlier on the line is not overcounted.
        var column = Encoding.UTF8.GetCharCount(utf8[lineStarts[line]..offset]) + 1;
        return (line + 1, column);
    }
}
