using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MoESim.Config;
using MoESim.Plots;
using MoESim.Traces.Formats;
using MoESim.Traces.Statistics;

namespace MoESim.Cli;

/// <summary>
/// <c>moesim trace stats FILE</c>: popularity, load imbalance, locality, expert-cache hit rates,
/// reuse distance, cross-layer affinity and distinct experts per batch, split by prefill/decode;
/// stats.json, CSV tables and plots in --out, a summary table on the console.
/// </summary>
internal static class TraceStatsCommand
{
    /// <summary>Traces up to this size get every request in the expensive statistics; larger ones a sample of this many bytes' worth.</summary>
    public const long FullSampleBytes = 4L << 20;

    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "Trace file (.moetrace, .jsonl or .csv)" };
        var outDir = new Option<string>("--out") { Description = "Output folder for stats.json, CSV tables and plots", DefaultValueFactory = _ => "out/trace-stats" }.WritableFolder();
        var layerPair = new Option<int>("--layer-pair") { Description = "Layer L whose affinity matrix (L to L+1) is written and plotted", DefaultValueFactory = _ => 0 }.InRange(0);
        var sample = new Option<double?>("--sample-fraction") { Description = "Fraction of requests in the expensive statistics (0, 1]; default 1 up to 4 MiB of trace, else 4 MiB / size" }.InRange(0, 1, minExclusive: true);
        var topM = new Option<int>("--top-m") { Description = "m of the top-m affinity coverage", DefaultValueFactory = _ => 2 }.InRange(1);
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip PNG/SVG plots" };
        var command = new Command("stats", "Measure an expert-selection trace: imbalance, locality, LRU/LFU hit rates, reuse distance, affinity, distinct experts per batch")
        {
            file, outDir, layerPair, sample, topM, noPlots,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path)) throw new InputException(path, "file", "not found");
            var bytes = new FileInfo(path).Length;
            var fraction = parse.GetValue(sample) ?? Math.Min(1.0, FullSampleBytes / (double)Math.Max(1, bytes));
            if (!(fraction is > 0 and <= 1)) throw new InputException($"{fraction}", "--sample-fraction", "must be in (0, 1]");
            var watch = Stopwatch.StartNew();
            TraceStatistics stats;
            using (var reader = RoutingTraceFiles.OpenReader(path))
            {
                var shape = reader.Shape;
                var pair = parse.GetValue(layerPair);
                if (pair < 0 || pair > Math.Max(0, shape.NumMoeLayers - 2))
                    throw new InputException($"{pair}", "--layer-pair", $"must be in 0..{Math.Max(0, shape.NumMoeLayers - 2)} (the trace has {shape.NumMoeLayers} MoE layers)");
                var m = parse.GetValue(topM);
                if (m < 1 || m > shape.NumExperts) throw new InputException($"{m}", "--top-m", $"must be in 1..{shape.NumExperts}");
                var options = new TraceStatisticsOptions { SampleFraction = fraction, AffinityTopM = m, MatrixLayer = pair };
                stats = ConsoleProgress.Run("Measuring", p => TraceStatisticsRunner.Run(reader, options, () => reader.Position.ByteOffset / (double)Math.Max(1, bytes), p));
            }
            var seconds = watch.Elapsed.TotalSeconds;
            var folder = parse.GetValue(outDir)!;
            var files = TraceStatisticsWriter.Write(stats, folder, path).ToList();
            if (!parse.GetValue(noPlots))
                foreach (var chart in TraceStatisticsCharts.Save(stats, string.IsNullOrEmpty(stats.Shape.ModelName) ? Path.GetFileName(path) : stats.Shape.ModelName, folder))
                {
                    files.Add(chart.PngPath);
                    files.Add(chart.SvgPath);
                }
            Print(stats, path, bytes, seconds, files, parse.InvocationConfiguration.Output);
            return CliApp.ExitOk;
        });
        return command;
    }

    private static void Print(TraceStatistics stats, string path, long bytes, double seconds, List<string> files, TextWriter o)
    {
        var inv = CultureInfo.InvariantCulture;
        o.WriteLine(string.Create(inv, $"{path}: {stats.Shape.Describe()}, {stats.Steps:N0} steps, {bytes / 1e6:F1} MB read in {seconds:F2} s ({bytes / 1e6 / Math.Max(seconds, 1e-9):F1} MB/s)"));
        o.WriteLine(string.Create(inv, $"expensive statistics on {stats.SampledRequests} sampled requests (fraction {stats.Options.SampleFraction:G3}); popularity and imbalance on every selection"));
        o.WriteLine("phase      tokens       max/mean  CV     Gini   zipf   locality  reuse   LRU@E/4  LFU@E/4  aff.cov  excess  MI-base(nats)");
        var quarter = Math.Max(1, stats.Shape.NumExperts / 4);
        foreach (var p in stats.Phases)
        {
            if (p.Tokens == 0) continue;
            var lfu = Array.IndexOf(p.LfuCacheSizes, quarter);
            o.WriteLine(string.Create(inv,
                $"{p.Phase,-10} {p.Tokens,-12:N0} {Mean(p.Layers.Select(l => l.MaxOverMean)),-9:F3} {Mean(p.Layers.Select(l => l.CoefficientOfVariation)),-6:F3} {Mean(p.Layers.Select(l => l.Gini)),-6:F3} {Mean(p.Layers.Select(l => l.ZipfExponentEstimate)),-6:F2} {Mean(p.Layers.Select(l => l.LocalityExcess)),-9:F3} {Mean(p.Layers.Select(l => l.ReuseRate)),-7:F3} {Pct(p.LruHitRate[quarter - 1]),-8} {(lfu >= 0 ? Pct(p.LfuHitRate[lfu]) : "-"),-8} {Mean(p.Affinity.Select(a => a.TopMCoverage)),-8:F3} {Mean(p.Affinity.Select(a => a.ExcessCoverage)),-7:F3} {Mean(p.Affinity.Select(a => a.MutualInformationNats - a.IndependentMutualInformationNats)):F3}"));
        }
        o.WriteLine("(means over layers; locality = reuse above chance; excess = top-m coverage above independence)");
        o.WriteLine($"wrote {files.Count} files to {DisplayPath.Of(Path.GetDirectoryName(Path.GetFullPath(files[0]))!)}");
    }

    private static double Mean(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        return finite.Length == 0 ? double.NaN : finite.Average();
    }

    private static string Pct(double x) => double.IsFinite(x) ? (100 * x).ToString("F1", CultureInfo.InvariantCulture) + "%" : "-";
}
