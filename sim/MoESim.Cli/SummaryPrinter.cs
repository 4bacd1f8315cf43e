using System.Globalization;
using MoESim.Metrics;
using MoESim.Serving;
using Spectre.Console;
using MoESim.Runs;

namespace MoESim.Cli;

/// <summary>Prints a run's headline metrics as a short table.</summary>
internal static class SummaryPrinter
{
    public static void Print(SimulationRun run, IReadOnlyList<string> files, TextWriter output)
    {
        var console = CreateConsole(output);
        var m = run.Metrics;
        console.MarkupLine(Markup.Escape($"MoESim {ReportWriter.ToolVersion}: {run.Model.Name} ({DataTypesName(run)} weights) on {run.PlatformDescription}, {m.Requests} requests, {run.RouterDescription}"));
        PrintServing(console, m);
        console.MarkupLine(Markup.Escape($"wrote: {DisplayPath.Join(files)}"));
    }

    /// <summary>A console writing to <paramref name="output"/>; captured output gets a fixed width.</summary>
    internal static IAnsiConsole CreateConsole(TextWriter output)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.Detect, ColorSystem = ColorSystemSupport.Detect });
        // Piped or captured output has no terminal width; keep lines whole for logs and tools.
        if (Console.IsOutputRedirected || output != Console.Out) console.Profile.Width = 160;
        return console;
    }

    /// <summary>The latency table and the throughput, device and memory lines.</summary>
    internal static void PrintServing(IAnsiConsole console, ServingMetrics m)
    {
        var table = new Table().AddColumn("metric").AddColumn(new TableColumn("mean").RightAligned()).AddColumn(new TableColumn("p50").RightAligned())
            .AddColumn(new TableColumn("p90").RightAligned()).AddColumn(new TableColumn("p99").RightAligned());
        AddLatency(table, "TTFT (ms)", m.Ttft);
        AddLatency(table, "TPOT (ms)", m.Tpot);
        AddLatency(table, "end-to-end (s)", m.EndToEnd, 1);
        console.Write(table);
        var inv = CultureInfo.InvariantCulture;
        console.MarkupLine(Markup.Escape(string.Create(inv,
            $"throughput: {m.OutputTokensPerSecond:F1} output tokens/s, {m.PromptTokensPerSecond:F1} prompt tokens/s, {m.RequestsPerSecond:F3} requests/s over {m.MakespanSeconds:F1} s")));
        console.MarkupLine(Markup.Escape(string.Create(inv,
            $"device: busy {m.DeviceBusyFraction:P1}, compute {m.ComputeUtilization:P1} of peak, memory bandwidth {m.MemoryBandwidthUtilization:P1} of peak")));
        console.MarkupLine(Markup.Escape(string.Create(inv,
            $"memory: weights {m.WeightBytes / 1e9:F1} GB, KV cache {m.KvCacheCapacityBytes / 1e9:F1} GB (peak reserved {m.PeakKvReservedBytes / 1e9:F1} GB); {m.Passes} passes, {m.EventsProcessed} events")));
    }

    private static string DataTypesName(SimulationRun run) => Units.DataTypes.Name(run.Model.DataTypes.Weights);

    private static void AddLatency(Table table, string name, LatencySummary s, double scale = 1e3)
    {
        string F(double v) => double.IsFinite(v) ? (v * scale).ToString(scale == 1 ? "F2" : "F1", CultureInfo.InvariantCulture) : "-";
        table.AddRow(name, F(s.MeanSeconds), F(s.P50Seconds), F(s.P90Seconds), F(s.P99Seconds));
    }
}
