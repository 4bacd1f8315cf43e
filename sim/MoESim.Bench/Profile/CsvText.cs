using System.Text;

namespace MoESim.Bench.Profile;

/// <summary>Minimal RFC 4180 CSV: quote fields holding commas, quotes or line breaks; split lines back.</summary>
public static class CsvText
{
    private static readonly System.Buffers.SearchValues<char> Special = System.Buffers.SearchValues.Create(",\"\n\r");

    public static string Field(string value) =>
        value.AsSpan().IndexOfAny(Special) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    public static string Line(IEnumerable<string> fields) => string.Join(",", fields.Select(Field));

    /// <summary>Splits one CSV line (no embedded line breaks) into fields.</summary>
    public static List<string> Split(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else current.Append(c);
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(current.ToString()); current.Clear(); }
            else current.Append(c);
        }
        fields.Add(current.ToString());
        return fields;
    }
}
