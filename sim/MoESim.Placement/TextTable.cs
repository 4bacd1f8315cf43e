using System.Globalization;
using System.Text;

namespace MoESim.Placement;

/// <summary>CSV and aligned markdown from a header and rows of cells, shared by the placement tables.</summary>
internal static class TextTable
{
    /// <summary>CSV with a header line, one line per row.</summary>
    public static string Csv(IReadOnlyList<string> headers, IEnumerable<string[]> rows)
    {
        var s = new StringBuilder(string.Join(',', headers)).Append('\n');
        foreach (var c in rows) s.Append(string.Join(',', c)).Append('\n');
        return s.ToString();
    }

    /// <summary>A markdown (and console-readable) table; the first <paramref name="textColumns"/> columns are left-aligned, the rest right-aligned.</summary>
    public static string Markdown(IReadOnlyList<string> headers, IEnumerable<string[]> rows, int textColumns)
    {
        var all = new List<string[]> { headers.ToArray() };
        all.AddRange(rows);
        var widths = Enumerable.Range(0, headers.Count).Select(i => all.Max(r => r[i].Length)).ToArray();
        var s = new StringBuilder();
        for (var r = 0; r < all.Count; r++)
        {
            s.Append("| ").Append(string.Join(" | ", all[r].Select((c, i) => i < textColumns ? c.PadRight(widths[i]) : c.PadLeft(widths[i])))).Append(" |\n");
            if (r == 0) s.Append('|').Append(string.Join('|', widths.Select((w, i) => i < textColumns ? new string('-', w + 2) : new string('-', w + 1) + ":"))).Append("|\n");
        }
        return s.ToString();
    }

    /// <summary>A number in invariant culture.</summary>
    public static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
}
