using System.Globalization;
using MoESim.Config;

namespace MoESim.Traces.Synthetic;

/// <summary>
/// Reads an explicit popularity histogram for <c>trace gen --histogram</c>: a CSV with one line
/// per MoE layer, each holding one non-negative weight per expert (any scale). Blank lines and
/// lines starting with '#' are skipped. A single line applies to every layer.
/// </summary>
public static class HistogramFile
{
    /// <summary>Reads [layer][expert] weights and checks them against the model shape.</summary>
    public static double[][] Read(string path, int layers, int experts)
    {
        var display = YamlDocumentLoader.DisplayPath(path);
        if (!File.Exists(path)) throw new InputException(display, "--histogram", "file not found");
        var rows = new List<double[]>();
        var lineNumber = 0;
        var errors = new List<InputError>();
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var cells = line.Split(',');
            if (cells.Length != experts)
            {
                errors.Add(new InputError(display, lineNumber, 1, "histogram", $"has {cells.Length} weights, the model has {experts} experts"));
                continue;
            }
            var row = new double[experts];
            for (var e = 0; e < experts; e++)
            {
                if (!double.TryParse(cells[e].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out row[e]) || !double.IsFinite(row[e]) || row[e] < 0)
                {
                    errors.Add(new InputError(display, lineNumber, 0, $"histogram[expert {e}]", $"'{cells[e].Trim()}' is not a non-negative number"));
                    break;
                }
            }
            if (row.Sum() == 0) errors.Add(new InputError(display, lineNumber, 1, "histogram", "weights sum to zero"));
            rows.Add(row);
        }
        if (errors.Count > 0) throw new InputException(errors);
        if (rows.Count == 1) return Enumerable.Repeat(rows[0], layers).Select(r => (double[])r.Clone()).ToArray();
        if (rows.Count != layers)
            throw new InputException(new InputError(display, 0, 0, "histogram", $"has {rows.Count} layer lines, the model has {layers} MoE layers (or give one line for all)"));
        return rows.ToArray();
    }
}
