using System.Globalization;
using System.Text;
using System.Text.Json;
using MoESim.IO;
using MoESim.Results;

namespace MoESim.Metrics;

/// <summary>
/// Writes a run's outputs: <c>report.json</c> (inputs echoed, metrics, tool version),
/// <c>requests.csv</c> (one row per request) and <c>timeseries.csv</c>. Every file is written
/// atomically. JSON is written field by field (no reflection) so key order is stable.
/// </summary>
public static class ReportWriter
{
    /// <summary>Tool version written into reports.</summary>
    public static string ToolVersion =>
        typeof(ReportWriter).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Writes report.json; <paramref name="extra"/> (if given) adds further top-level sections after the metrics.</summary>
    public static void WriteReport(string path, IReadOnlyDictionary<string, string> inputs, ServingMetrics m, Action<Utf8JsonWriter>? extra = null)
    {
        AtomicFile.Write(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            w.WriteString("tool", "moesim");
            w.WriteString("version", ToolVersion);
            w.WriteStartObject("inputs");
            foreach (var (key, value) in inputs) w.WriteString(key, value);
            w.WriteEndObject();
            w.WriteStartObject("metrics");
            w.WriteNumber("requests", m.Requests);
            WriteLatency(w, "ttft", m.Ttft);
            WriteLatency(w, "tpot", m.Tpot);
            WriteLatency(w, "end_to_end", m.EndToEnd);
            w.WriteNumber("output_tokens_per_s", m.OutputTokensPerSecond);
            w.WriteNumber("prompt_tokens_per_s", m.PromptTokensPerSecond);
            w.WriteNumber("requests_per_s", m.RequestsPerSecond);
            w.WriteNumber("makespan_s", m.MakespanSeconds);
            w.WriteNumber("device_busy_fraction", m.DeviceBusyFraction);
            w.WriteNumber("compute_utilization", m.ComputeUtilization);
            w.WriteNumber("memory_bandwidth_utilization", m.MemoryBandwidthUtilization);
            w.WriteNumber("weight_bytes", m.WeightBytes);
            w.WriteNumber("kv_cache_capacity_bytes", m.KvCacheCapacityBytes);
            w.WriteNumber("peak_kv_reserved_bytes", m.PeakKvReservedBytes);
            w.WriteNumber("passes", m.Passes);
            w.WriteNumber("events_processed", m.EventsProcessed);
            w.WriteEndObject();
            extra?.Invoke(w);
            w.WriteEndObject();
        });
    }

    private static void WriteLatency(Utf8JsonWriter w, string name, LatencySummary s)
    {
        w.WriteStartObject(name);
        w.WriteNumber("count", s.Count);
        WriteNumberOrNull(w, "mean_s", s.MeanSeconds);
        WriteNumberOrNull(w, "p50_s", s.P50Seconds);
        WriteNumberOrNull(w, "p90_s", s.P90Seconds);
        WriteNumberOrNull(w, "p99_s", s.P99Seconds);
        WriteNumberOrNull(w, "max_s", s.MaxSeconds);
        w.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value)) w.WriteNumber(name, value); else w.WriteNull(name);
    }

    public static void WriteRequestsCsv(string path, IReadOnlyList<RequestOutcome> requests)
    {
        var sb = new StringBuilder("request_id,arrival_s,prompt_tokens,output_tokens,ttft_s,tpot_s,end_to_end_s\n");
        foreach (var r in requests)
            sb.Append(CultureInfo.InvariantCulture, $"{r.Id},{r.ArrivalPicoseconds / 1e12:R},{r.PromptTokens},{r.OutputTokens},{r.TtftSeconds:R},{Csv(r.TpotSeconds)},{r.EndToEndSeconds:R}\n");
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    public static void WriteTimeSeriesCsv(string path, IReadOnlyList<TimeSeriesPoint> points)
    {
        var sb = new StringBuilder("time_s,output_tokens_per_s,prompt_tokens_per_s,device_busy_fraction,compute_utilization,memory_bandwidth_utilization,mean_ttft_s,mean_tpot_s,kv_cache_fraction\n");
        foreach (var p in points)
            sb.Append(CultureInfo.InvariantCulture, $"{p.TimeSeconds:R},{p.OutputTokensPerSecond:R},{p.PromptTokensPerSecond:R},{p.DeviceBusyFraction:R},{p.ComputeUtilization:R},{p.MemoryBandwidthUtilization:R},{Csv(p.MeanTtftSeconds)},{Csv(p.MeanTpotSeconds)},{p.KvCacheFraction:R}\n");
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    private static string Csv(double value) => double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : "";
}
