using System.Globalization;
using MoESim.Config;
using MoESim.IO;
using MoESim.Placement;
using MoESim.Plots;

namespace MoESim.Cli;

/// <summary>
/// <c>moesim place --windows N</c>: the chosen strategy re-places every window of the scored
/// trace part from the window before; writes windows.csv and windows.png/.svg and prints the
/// table and a verdict on whether re-placing pays for moving the expert weights.
/// </summary>
internal static class PlaceWindows
{
    /// <summary>Serving steps one window stands for when --steps-per-window is not given.</summary>
    public const double DefaultServingStepsPerWindow = 1000;

    /// <summary>Checks --windows, --window-order and --steps-per-window before any work; null when re-placement is off.</summary>
    public static (int Windows, WindowOrder Order, double StepsPerWindow)? Options(int? windows, string? windowOrder, double? stepsPerWindow)
    {
        if (windows is not { } n)
        {
            if (stepsPerWindow is { } s) throw new InputException(s.ToString(CultureInfo.InvariantCulture), "--steps-per-window", "only applies with --windows N");
            if (windowOrder is not null) throw new InputException(windowOrder, "--window-order", "only applies with --windows N");
            return null;
        }
        TraceWindows.CheckCount(n);
        var order = windowOrder switch
        {
            null or "file" => WindowOrder.File,
            "iteration" => WindowOrder.Iteration,
            _ => throw new InputException(windowOrder, "--window-order", "expected file or iteration"),
        };
        var steps = stepsPerWindow ?? DefaultServingStepsPerWindow;
        if (!(steps > 0) || double.IsInfinity(steps)) throw new InputException(steps.ToString(CultureInfo.InvariantCulture), "--steps-per-window", "must be a finite number greater than zero");
        return (n, order, steps);
    }

    /// <summary>Re-places over <paramref name="windows"/>, writes the table and plot under <paramref name="folder"/>, and returns the console lines and files written.</summary>
    public static (string Text, List<string> Files) Run(TraceWindows windows, IPlacementStrategy strategy, PlacementComparisonRow staticRow, PlacementProblem problem,
        double stepsPerWindow, string folder, bool plots, string title)
    {
        var rows = ConsoleProgress.Run("Re-placing", p => WindowedPlacement.Run(strategy, staticRow.Result.Placement, windows.Statistics(), problem, stepsPerWindow, windows.Count, p));
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        var csv = Path.Combine(folder, "windows.csv");
        AtomicFile.WriteAllText(csv, PlacementWindowTable.ToCsv(rows));
        files.Add(csv);
        if (plots) files.Add(Plot(rows, stepsPerWindow, strategy.Name, Path.Combine(folder, "windows"), title));
        var text = string.Create(CultureInfo.InvariantCulture, $"Re-placement with {strategy.Name} over {windows.Count} windows of the scored part ({windows.ScoredSteps} trace steps in {(windows.Order == WindowOrder.File ? "file" : "iteration")} order, {windows.StepsIn(0)}-{windows.StepsIn(windows.Count - 1)} per window); window w >= 1 is placed from window w-1:\n")
            + PlacementWindowTable.ToMarkdown(rows)
            + string.Join('\n', PlacementWindowTable.Summary(rows)) + '\n';
        return (text, files);
    }

    private static string Plot(IReadOnlyList<PlacementWindowRow> rows, double stepsPerWindow, string strategy, string path, string title) =>
        LineChart.Save(ChartData(rows, stepsPerWindow, strategy, title), path).PngPath;

    /// <summary>The windows plot: MoE time per window (static, re-placed, re-placed with migration amortised) and GB migrated.</summary>
    internal static LineChartData ChartData(IReadOnlyList<PlacementWindowRow> rows, double stepsPerWindow, string strategy, string title)
    {
        var xs = rows.Select(r => (double)r.Window).ToArray();
        var migratedGb = rows.Select(r => r.Migration.Bytes / 1e9).ToArray();
        return new LineChartData
        {
            Title = $"{strategy} re-placement, {title}",
            XAxisLabel = "Window (time order; w >= 1 placed from window w-1)",
            YAxisLabel = "MoE-layer time (ms per serving step)",
            Series =
            [
                new LineSeries { Name = "static (placed once, fit part)", Xs = xs, Ys = rows.Select(r => r.Static.MoeSecondsPerStep * 1e3).ToArray() },
                new LineSeries { Name = "re-placed", Xs = xs, Ys = rows.Select(r => r.Replaced.MoeSecondsPerStep * 1e3).ToArray() },
                new LineSeries { Name = string.Create(CultureInfo.InvariantCulture, $"re-placed + migration / {stepsPerWindow:G} steps"), Xs = xs, Ys = rows.Select(r => r.ReplacedAmortisedSecondsPerStep * 1e3).ToArray() },
            ],
            RightYAxisLabel = "Expert weights migrated (GB)",
            RightSeries = [new LineSeries { Name = "migrated", Xs = xs, Ys = migratedGb }],
            // Bytes moved cannot be negative: the axis starts at 0 (ScottPlot's margin showed -50 GB).
            RightYAxisRange = (0, Math.Max(migratedGb.Max(), 1e-3)),
            ShowMarkers = true,
            IntegerX = true,
        };
    }
}
