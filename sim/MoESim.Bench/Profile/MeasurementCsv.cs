using System.Globalization;
using System.Text;
using MoESim.Bench.Suite;
using MoESim.Config;
using MoESim.IO;

namespace MoESim.Bench.Profile;

/// <summary>
/// The raw per-kernel timings beside a measured profile: one row per case with its family,
/// shape, work, median/p10/p90 seconds, repetitions and whether calibration fitted on it.
/// </summary>
public static class MeasurementCsv
{
    public static readonly string[] Columns =
    {
        "family", "variant", "shape", "flops", "bytes", "kernels", "median_s", "p10_s", "p90_s", "repetitions", "used_for_fit", "max_rel_error", "components",
    };

    public static void Write(string path, IReadOnlyList<Measurement> rows)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append(CsvText.Line(Columns)).Append('\n');
        foreach (var m in rows)
        {
            sb.Append(CsvText.Line(new[]
            {
                m.Family, m.Variant, m.Shape, m.Flops.ToString("R", inv), m.Bytes.ToString("R", inv), m.Kernels.ToString(inv),
                m.Timing.MedianSeconds.ToString("R", inv), m.Timing.P10Seconds.ToString("R", inv), m.Timing.P90Seconds.ToString("R", inv),
                m.Timing.Repetitions.ToString(inv), m.Fit ? "true" : "false", m.MaxRelativeError.ToString("G3", inv),
                string.Join(" ", m.Components.Select(c => c.ToText())),
            })).Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>Reads a measured CSV; bad rows raise <see cref="InputException"/> with file, line and column name.</summary>
    public static IReadOnlyList<Measurement> Read(string path)
    {
        if (!File.Exists(path)) throw new InputException(path, "measurements", "no such file (the CSV `moesim bench` writes beside the profile)");
        var lines = File.ReadAllLines(path);
        var errors = new InputErrorList();
        if (lines.Length == 0 || CsvText.Split(lines[0]) is var header && !header.SequenceEqual(Columns))
            throw new InputException(new InputError(path, 1, 1, "header", $"expected columns {string.Join(",", Columns)}"));
        var rows = new List<Measurement>();
        var inv = CultureInfo.InvariantCulture;
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var f = CsvText.Split(lines[i]);
            var line = i + 1;
            if (f.Count != Columns.Length)
            {
                errors.Add(path, line, 1, "row", $"expected {Columns.Length} fields, got {f.Count}");
                continue;
            }
            double Num(int col)
            {
                if (double.TryParse(f[col], NumberStyles.Float, inv, out var v) && double.IsFinite(v) && v >= 0) return v;
                errors.Add(path, line, col + 1, Columns[col], $"expected a non-negative number, got '{f[col]}'");
                return 0;
            }
            var median = Num(6);
            if (median <= 0 && errors.Count == 0) errors.Add(path, line, 7, Columns[6], "must be greater than zero");
            var components = f[12].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(WorkComponent.Parse).ToList();
            if (components.Count == 0 || components.Any(c => c is null))
            {
                errors.Add(path, line, 13, Columns[12], $"expected 'family:flops:bytes:kernels' entries, got '{f[12]}'");
                continue;
            }
            if (f[10] is not ("true" or "false")) errors.Add(path, line, 11, Columns[10], $"expected true or false, got '{f[10]}'");
            rows.Add(new Measurement
            {
                Family = f[0], Variant = f[1], Shape = f[2], Components = components!,
                Timing = new TimingStatistics(median, Num(7), Num(8), (int)Num(9)),
                Fit = f[10] == "true", MaxRelativeError = Num(11),
            });
        }
        errors.ThrowIfAny();
        return rows;
    }
}
