using System.Globalization;
using System.Text;
using MoESim.IO;

namespace MoESim.Bench.Validation;

/// <summary>Text forms of a validation: console table, per-case CSV and a markdown report.</summary>
public static class ValidationReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>A fixed-width table of the summaries, one line each.</summary>
    public static string Table(IReadOnlyList<ErrorSummary> summaries)
    {
        var sb = new StringBuilder();
        sb.Append(string.Format(Inv, "{0,-20} {1,-21} {2,6} {3,14} {4,12} {5,14}\n", "family", "subset", "cases", "median |err| %", "p90 |err| %", "p10-p90 time %"));
        foreach (var s in summaries)
            sb.Append(string.Format(Inv, "{0,-20} {1,-21} {2,6} {3,14:0.0} {4,12:0.0} {5,14:0.0}\n", s.Group, s.Subset, s.Count, s.MedianAbsPercent, s.P90AbsPercent, s.MedianSpreadPercent));
        return sb.ToString();
    }

    /// <summary>Writes one row per case.</summary>
    public static void WriteCsv(string path, IReadOnlyList<ValidationRow> rows)
    {
        var sb = new StringBuilder("family,variant,shape,subset,measured_s,predicted_s,abs_error_pct\n");
        foreach (var r in rows)
            sb.Append(Profile.CsvText.Line(new[]
            {
                r.Family, r.Variant, r.Shape, r.Subset, r.MeasuredSeconds.ToString("R", Inv), r.PredictedSeconds.ToString("R", Inv), r.AbsolutePercentError.ToString("0.00", Inv),
            })).Append('\n');
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>Writes a markdown report: what was compared, the summary table and the plot.</summary>
    public static void WriteMarkdown(string path, string profilePath, IReadOnlyList<ErrorSummary> summaries, IReadOnlyList<string> unpredictable, string? plotFile)
    {
        var sb = new StringBuilder();
        sb.Append("# Validation of ").Append(Path.GetFileName(profilePath)).Append("\n\n");
        sb.Append("Every benchmarked case predicted from the measured profile alone (CalibratedTimeModel) and compared with its measured 10th-percentile time (the kernel's own time on a shared machine; the CSV beside the profile keeps median and p90 too).\n");
        sb.Append("*fit*: cases the per-family time models were fitted on; *held-out*: single kernels not used to fit (every other shape of each family, interleaved along the size sweep); ");
        sb.Append("*composite (held-out)*: grouped expert FFN and whole MoE layers over skewed tokens-per-expert histograms, never fitted, predicted stage by stage (gather, the grouped FFN expert by expert, combine).\n\n");
        sb.Append("The last column is the median spread of each case's repeated timings, (p90 − p10) / median: the noise floor the errors sit on.\n\n");
        sb.Append("| family | subset | cases | median abs % error | p90 abs % error | median timing spread p10-p90 % |\n|---|---|---:|---:|---:|---:|\n");
        foreach (var s in summaries)
            sb.Append(string.Format(Inv, "| {0} | {1} | {2} | {3:0.0} | {4:0.0} | {5:0.0} |\n", s.Group, s.Subset, s.Count, s.MedianAbsPercent, s.P90AbsPercent, s.MedianSpreadPercent));
        if (unpredictable.Count > 0)
        {
            sb.Append("\nNot predicted (no curve):\n\n");
            foreach (var u in unpredictable) sb.Append("- ").Append(u).Append('\n');
        }
        if (plotFile is not null) sb.Append("\n![parity plot](").Append(plotFile).Append(")\n");
        AtomicFile.WriteAllText(path, sb.ToString());
    }
}
