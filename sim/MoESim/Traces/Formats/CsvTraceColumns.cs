using System.Globalization;
using System.Text;

namespace MoESim.Traces.Formats;

/// <summary>
/// Column layout of a CSV routing import and the row parser. Required columns: request_id,
/// token_index, layer, expert_ids; optional: weights, phase, iteration (any order, names
/// case-insensitive). Lists (expert_ids, weights) separate items by spaces, ';' or ','; a
/// field may be wrapped in double quotes (needed when the list uses commas).
/// </summary>
internal sealed class CsvTraceColumns
{
    private const int Request = 0, Token = 1, Layer = 2, Experts = 3, Weights = 4, Phase = 5, Iteration = 6;
    private static readonly string[] Names = ["request_id", "token_index", "layer", "expert_ids", "weights", "phase", "iteration"];
    private readonly int[] _columnOf = [-1, -1, -1, -1, -1, -1, -1];
    private readonly string _path;
    private readonly int _count;
    private readonly int[] _fieldStart;
    private readonly int[] _fieldLength;

    public CsvTraceColumns(string path, ReadOnlySpan<byte> headerLine, long line)
    {
        _path = path;
        var names = Encoding.UTF8.GetString(headerLine).Split(',');
        _count = names.Length;
        _fieldStart = new int[_count];
        _fieldLength = new int[_count];
        for (var c = 0; c < names.Length; c++)
        {
            var name = names[c].Trim().Trim('"').ToLowerInvariant();
            var index = Array.IndexOf(Names, name);
            if (index < 0) throw TraceFileOpener.AtLine(path, line, 0, name, $"unknown column (expected {string.Join(", ", Names)})");
            if (_columnOf[index] >= 0) throw TraceFileOpener.AtLine(path, line, 0, name, "column appears twice");
            _columnOf[index] = c;
        }
        for (var i = 0; i <= Experts; i++)
            if (_columnOf[i] < 0) throw TraceFileOpener.AtLine(path, line, 0, Names[i], "required column missing (need request_id, token_index, layer, expert_ids)");
    }

    public bool HasWeights => _columnOf[Weights] >= 0;
    public bool HasPhase => _columnOf[Phase] >= 0;
    public bool HasIteration => _columnOf[Iteration] >= 0;

    /// <summary>Parses one data row into <paramref name="row"/>.</summary>
    public void Parse(ReadOnlySpan<byte> line, long lineNumber, CsvTraceRow row)
    {
        Split(line, lineNumber);
        row.Request = Int(line, Request, lineNumber);
        row.Token = Int(line, Token, lineNumber);
        row.Layer = Int(line, Layer, lineNumber);
        row.Iteration = HasIteration ? Int(line, Iteration, lineNumber) : -1;
        row.IsPrefill = true;
        if (HasPhase)
        {
            var phase = Field(line, Phase);
            if (phase.SequenceEqual("prefill"u8)) row.IsPrefill = true;
            else if (phase.SequenceEqual("decode"u8)) row.IsPrefill = false;
            else throw TraceFileOpener.AtLine(_path, lineNumber, _fieldStart[_columnOf[Phase]] + 1, "phase", "expected prefill or decode");
        }
        row.IdCount = ParseList(line, Experts, lineNumber, ref row.Ids, static (ReadOnlySpan<byte> s, out int v) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out v));
        row.WeightCount = HasWeights
            ? ParseList(line, Weights, lineNumber, ref row.Weights, static (ReadOnlySpan<byte> s, out float v) => float.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v) && float.IsFinite(v))
            : 0;
        row.Line = lineNumber;
    }

    private delegate bool ItemParser<T>(ReadOnlySpan<byte> text, out T value);

    private int ParseList<T>(ReadOnlySpan<byte> line, int column, long lineNumber, ref T[] into, ItemParser<T> parse)
    {
        var text = Field(line, column);
        var n = 0;
        while (!text.IsEmpty)
        {
            var sep = text.IndexOfAny((byte)' ', (byte)';', (byte)',');
            var item = sep < 0 ? text : text[..sep];
            text = sep < 0 ? default : text[(sep + 1)..];
            if (item.IsEmpty) continue;
            if (!parse(item, out var value))
                throw TraceFileOpener.AtLine(_path, lineNumber, _fieldStart[_columnOf[column]] + 1, Names[column], $"\"{Encoding.UTF8.GetString(item)}\" is not a valid {(column == Experts ? "expert id (whole number ≥ 0)" : "finite number")}");
            if (n == into.Length) Array.Resize(ref into, into.Length * 2);
            into[n++] = value;
        }
        if (n == 0) throw TraceFileOpener.AtLine(_path, lineNumber, _fieldStart[_columnOf[column]] + 1, Names[column], "empty list");
        return n;
    }

    private int Int(ReadOnlySpan<byte> line, int column, long lineNumber)
    {
        var text = Field(line, column);
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            throw TraceFileOpener.AtLine(_path, lineNumber, _fieldStart[_columnOf[column]] + 1, Names[column], $"\"{Encoding.UTF8.GetString(text)}\" is not a whole number ≥ 0");
        return value;
    }

    private ReadOnlySpan<byte> Field(ReadOnlySpan<byte> line, int column)
    {
        var c = _columnOf[column];
        var f = line.Slice(_fieldStart[c], _fieldLength[c]).Trim((byte)' ');
        if (f.Length >= 2 && f[0] == (byte)'"' && f[^1] == (byte)'"') f = f[1..^1];
        return f;
    }

    /// <summary>Finds the field boundaries; commas inside double quotes do not split.</summary>
    private void Split(ReadOnlySpan<byte> line, long lineNumber)
    {
        var c = 0;
        var start = 0;
        var quoted = false;
        for (var i = 0; i <= line.Length; i++)
        {
            if (i < line.Length && line[i] == (byte)'"') quoted = !quoted;
            if (i == line.Length || (line[i] == (byte)',' && !quoted))
            {
                if (c < _count)
                {
                    _fieldStart[c] = start;
                    _fieldLength[c] = i - start;
                }
                c++;
                start = i + 1;
            }
        }
        if (quoted) throw TraceFileOpener.AtLine(_path, lineNumber, 0, "row", "unterminated double quote");
        if (c != _count) throw TraceFileOpener.AtLine(_path, lineNumber, 0, "row", $"{c} fields, the header has {_count}");
    }
}
