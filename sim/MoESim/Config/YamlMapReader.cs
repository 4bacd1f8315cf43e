using System.Globalization;
using MoESim.Units;
using YamlDotNet.RepresentationModel;

namespace MoESim.Config;

/// <summary>
/// Typed, validating access to one YAML mapping. Every failed read records an error with
/// file, line:col and the dotted field path, and returns a placeholder so reading continues and
/// all errors are reported together. <see cref="Finish"/> reports keys nobody read: unknown
/// keys are errors, never silently ignored.
/// </summary>
public sealed class YamlMapReader
{
    private readonly YamlMappingNode _node;
    private readonly YamlDocumentLoader _loader;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public YamlMapReader(YamlMappingNode node, YamlDocumentLoader loader, string file, string path, InputErrorList errors)
    {
        _node = node;
        _loader = loader;
        File = loader.FileOf(node, file);
        Path = path;
        Errors = errors;
    }

    public string File { get; }
    public string Path { get; }
    public InputErrorList Errors { get; }

    private string FieldName(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public bool Has(string key) => _node.Children.ContainsKey(new YamlScalarNode(key));

    private YamlNode? Get(string key)
    {
        _read.Add(key);
        return _node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
    }

    /// <summary>Records an error located at <paramref name="key"/> (or at this mapping if absent).</summary>
    public void Error(string key, string problem)
    {
        var at = _node.Children.TryGetValue(new YamlScalarNode(key), out var v) ? v : _node;
        Errors.Add(_loader.FileOf(at, File), (int)at.Start.Line, (int)at.Start.Column, FieldName(key), problem);
    }

    /// <summary>Records an error located at the key <paramref name="key"/> itself (its line, not its value's); at this mapping if absent.</summary>
    public void KeyError(string key, string problem)
    {
        YamlNode at = _node;
        foreach (var k in _node.Children.Keys)
            if (k is YamlScalarNode { Value: var v } && string.Equals(v, key, StringComparison.Ordinal)) { at = k; break; }
        Errors.Add(_loader.FileOf(at, File), (int)at.Start.Line, (int)at.Start.Column, FieldName(key), problem);
    }

    /// <summary>Records an error located at this mapping itself (its first key), named by its own path.</summary>
    public void ErrorHere(string problem) =>
        Errors.Add(File, (int)_node.Start.Line, (int)_node.Start.Column, Path, problem);

    private void Missing(string key, string what) =>
        Errors.Add(File, (int)_node.Start.Line, (int)_node.Start.Column, FieldName(key), $"required field is missing ({what})");

    private YamlScalarNode? Scalar(string key, bool required, string what)
    {
        var node = Get(key);
        if (node is null)
        {
            if (required) Missing(key, what);
            return null;
        }
        if (node is YamlScalarNode scalar && scalar.Value is not null && !(scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && scalar.Value is "" or "~" or "null"))
            return scalar;
        Errors.Add(_loader.FileOf(node, File), (int)node.Start.Line, (int)node.Start.Column, FieldName(key), $"expected {what}");
        return null;
    }

    /// <summary>
    /// A finite number; <paramref name="positive"/> demands &gt; 0, else &gt;= 0 unless <paramref name="allowNegative"/>;
    /// at most <paramref name="max"/> and at least <paramref name="min"/> (a sane bound, in the key's unit).
    /// </summary>
    public double RequiredDouble(string key, bool positive = true, double max = double.MaxValue, bool allowNegative = false, double min = double.MinValue) =>
        ReadDouble(key, required: true, positive, max, allowNegative, min) ?? 1.0;

    /// <summary>As <see cref="RequiredDouble"/>, or null when the key is absent.</summary>
    public double? OptionalDouble(string key, bool positive = true, double max = double.MaxValue, bool allowNegative = false, double min = double.MinValue) =>
        ReadDouble(key, required: false, positive, max, allowNegative, min);

    private double? ReadDouble(string key, bool required, bool positive, double max, bool allowNegative, double min)
    {
        var scalar = Scalar(key, required, "a number");
        if (scalar is null) return null;
        if (!double.TryParse(scalar.Value!.Replace("_", ""), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            Error(key, $"expected a number, got '{scalar.Value}'");
            return null;
        }
        if (positive && value <= 0) { Error(key, $"must be greater than zero, got {scalar.Value}"); return null; }
        if (!positive && !allowNegative && value < 0) { Error(key, $"must not be negative, got {scalar.Value}"); return null; }
        if (value > max) { Error(key, $"must be at most {max.ToString(CultureInfo.InvariantCulture)}, got {scalar.Value}"); return null; }
        if (value < min) { Error(key, $"must be at least {min.ToString(CultureInfo.InvariantCulture)}, got {scalar.Value}"); return null; }
        return value;
    }

    public int RequiredInt(string key, int min = 1, int max = int.MaxValue) => ReadInt(key, true, min, max) ?? Math.Max(min, 1);

    public int? OptionalInt(string key, int min = 1, int max = int.MaxValue) => ReadInt(key, false, min, max);

    private int? ReadInt(string key, bool required, int min, int max)
    {
        var scalar = Scalar(key, required, "a whole number");
        if (scalar is null) return null;
        if (!int.TryParse(scalar.Value!.Replace("_", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            Error(key, $"expected a whole number, got '{scalar.Value}'");
            return null;
        }
        if (value < min || value > max)
        {
            Error(key, max == int.MaxValue ? $"must be at least {min}, got {value}" : $"must be between {min} and {max}, got {value}");
            return null;
        }
        return value;
    }

    public string RequiredString(string key) => Scalar(key, true, "text")?.Value ?? "";

    public string? OptionalString(string key) => Scalar(key, false, "text")?.Value;

    public bool? OptionalBool(string key)
    {
        var scalar = Scalar(key, false, "true or false");
        if (scalar is null) return null;
        if (bool.TryParse(scalar.Value, out var b)) return b;
        Error(key, $"expected true or false, got '{scalar.Value}'");
        return null;
    }

    public DataType RequiredDataType(string key) => OptionalDataType(key, required: true) ?? DataType.Bf16;

    public DataType? OptionalDataType(string key, bool required = false)
    {
        var scalar = Scalar(key, required, $"a data type ({DataTypes.AcceptedNames})");
        if (scalar is null) return null;
        if (DataTypes.TryParse(scalar.Value!, out var type)) return type;
        Error(key, $"unknown data type '{scalar.Value}' (expected one of {DataTypes.AcceptedNames})");
        return null;
    }

    /// <summary>Reads an enumeration spelled in snake_case or lower case.</summary>
    public TEnum RequiredEnum<TEnum>(string key) where TEnum : struct, Enum => OptionalEnum<TEnum>(key, required: true) ?? default;

    public TEnum? OptionalEnum<TEnum>(string key, bool required = false) where TEnum : struct, Enum
    {
        var names = Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()).ToArray();
        var scalar = Scalar(key, required, $"one of {string.Join(", ", names)}");
        if (scalar is null) return null;
        if (Enum.TryParse<TEnum>(scalar.Value!.Replace("_", "").Replace("-", ""), ignoreCase: true, out var value) && Enum.IsDefined(value))
            return value;
        Error(key, $"unknown value '{scalar.Value}' (expected one of {string.Join(", ", names)})");
        return null;
    }

    public YamlMapReader? OptionalMap(string key) => Map(key, required: false);

    public YamlMapReader? RequiredMap(string key) => Map(key, required: true);

    private YamlMapReader? Map(string key, bool required)
    {
        var node = Get(key);
        if (node is null)
        {
            if (required) Missing(key, "a mapping");
            return null;
        }
        if (node is YamlMappingNode map)
            return new YamlMapReader(map, _loader, File, FieldName(key), Errors);
        Errors.Add(_loader.FileOf(node, File), (int)node.Start.Line, (int)node.Start.Column, FieldName(key), "expected a mapping (nested key: value lines)");
        return null;
    }

    /// <summary>A list of mappings; each item's path is <c>key[i]</c>.</summary>
    public IReadOnlyList<YamlMapReader> MapList(string key, bool required)
    {
        var node = Get(key);
        if (node is null)
        {
            if (required) Missing(key, "a list");
            return Array.Empty<YamlMapReader>();
        }
        if (node is not YamlSequenceNode seq)
        {
            Errors.Add(_loader.FileOf(node, File), (int)node.Start.Line, (int)node.Start.Column, FieldName(key), "expected a list (lines starting with '-')");
            return Array.Empty<YamlMapReader>();
        }
        var result = new List<YamlMapReader>();
        for (var i = 0; i < seq.Children.Count; i++)
        {
            if (seq.Children[i] is YamlMappingNode item)
                result.Add(new YamlMapReader(item, _loader, File, $"{FieldName(key)}[{i}]", Errors));
            else
                Errors.Add(_loader.FileOf(seq.Children[i], File), (int)seq.Children[i].Start.Line, (int)seq.Children[i].Start.Column, $"{FieldName(key)}[{i}]", "expected a mapping");
        }
        return result;
    }

    /// <summary>A list of whole numbers.</summary>
    public IReadOnlyList<int> IntList(string key, int min)
    {
        var node = Get(key);
        if (node is null) return Array.Empty<int>();
        if (node is not YamlSequenceNode seq)
        {
            Errors.Add(_loader.FileOf(node, File), (int)node.Start.Line, (int)node.Start.Column, FieldName(key), "expected a list of whole numbers");
            return Array.Empty<int>();
        }
        var result = new List<int>();
        foreach (var item in seq.Children)
        {
            if (item is YamlScalarNode s && int.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min)
                result.Add(v);
            else
                Errors.Add(_loader.FileOf(item, File), (int)item.Start.Line, (int)item.Start.Column, FieldName(key), $"expected a whole number >= {min}");
        }
        return result;
    }

    /// <summary>Keys of this mapping in file order (for open-ended maps such as memory tiers).</summary>
    public IEnumerable<string> Keys => _node.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "");

    /// <summary>Reports every key that no read asked for.</summary>
    public void Finish(params string[] ignoredKeys)
    {
        foreach (var (key, value) in _node.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "?";
            if (_read.Contains(name) || ignoredKeys.Contains(name)) continue;
            Errors.Add(_loader.FileOf(key, File), (int)key.Start.Line, (int)key.Start.Column, FieldName(name), "unknown field");
        }
    }
}
