using System.Globalization;
using System.Text;
using System.Text.Json;
using MoESim.IO;
using MoESim.Metrics;

namespace MoESim.Planning;

/// <summary>Writes a capacity plan as <c>plan.csv</c> (one row per option) and <c>report.json</c> (inputs, objective, best option, rows).</summary>
public static class CapacityPlanWriter
{
    /// <summary>CSV header; the latency columns name the objective's percentile.</summary>
    public static string Header(int percentile) =>
        $"candidate,replicas,devices,price_per_hour_usd,tpot_p{percentile}_ms,ttft_p{percentile}_ms,output_tokens_per_s,usd_per_million_output_tokens,meets_objective,note";

    /// <summary>Writes the CSV table atomically.</summary>
    public static void WriteCsv(string path, CapacityPlan plan)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder().AppendLine(Header(plan.Objective.Percentile));
        foreach (var r in plan.Rows)
            sb.AppendLine(string.Join(',',
                Quote(r.Candidate.Name), r.Replicas.ToString(inv), r.Devices.ToString(inv), r.PricePerHourUsd.ToString("F2", inv),
                Number(r.TpotSeconds * 1e3, "F3"), Number(r.TtftSeconds * 1e3, "F3"), Number(r.OutputTokensPerSecond, "F1"),
                Number(r.UsdPerMillionOutputTokens, "F4"), r.MeetsObjective ? "yes" : "no", Quote(r.Note)));
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>Writes report.json atomically: tool version, <paramref name="inputs"/> echoed, the objective, the best option and every row.</summary>
    public static void WriteReport(string path, IReadOnlyDictionary<string, string> inputs, CapacityPlan plan)
    {
        AtomicFile.Write(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            w.WriteString("tool", "moesim");
            w.WriteString("version", ReportWriter.ToolVersion);
            w.WriteStartObject("inputs");
            foreach (var (key, value) in inputs) w.WriteString(key, value);
            w.WriteEndObject();
            w.WriteStartObject("objective");
            w.WriteNumber("percentile", plan.Objective.Percentile);
            w.WriteNumber("tpot_s", plan.Objective.TpotSeconds);
            if (plan.Objective.TtftSeconds is { } ttft) w.WriteNumber("ttft_s", ttft);
            else w.WriteNull("ttft_s");
            w.WriteEndObject();
            if (plan.Best is { } best)
            {
                w.WritePropertyName("best");
                WriteRow(w, best);
            }
            else w.WriteNull("best");
            w.WriteStartArray("options");
            foreach (var row in plan.Rows) WriteRow(w, row);
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static void WriteRow(Utf8JsonWriter w, CapacityPlanRow r)
    {
        w.WriteStartObject();
        w.WriteString("candidate", r.Candidate.Name);
        w.WriteNumber("replicas", r.Replicas);
        w.WriteNumber("devices", r.Devices);
        w.WriteNumber("price_per_hour_usd", r.PricePerHourUsd);
        WriteNumberOrNull(w, "tpot_s", r.TpotSeconds);
        WriteNumberOrNull(w, "ttft_s", r.TtftSeconds);
        WriteNumberOrNull(w, "output_tokens_per_s", r.OutputTokensPerSecond);
        WriteNumberOrNull(w, "usd_per_million_output_tokens", r.UsdPerMillionOutputTokens);
        w.WriteBoolean("meets_objective", r.MeetsObjective);
        w.WriteString("note", r.Note);
        w.WriteEndObject();
    }

    // JSON has no NaN: an option that was not simulated has null metrics.
    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value);
        else w.WriteNull(name);
    }

    private static string Number(double value, string format) => double.IsFinite(value) ? value.ToString(format, CultureInfo.InvariantCulture) : "";

    // RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
    private static string Quote(string text) =>
        text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? text : "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
