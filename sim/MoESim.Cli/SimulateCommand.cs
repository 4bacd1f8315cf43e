using System.CommandLine;
using MoESim.Collectives;
using MoESim.Config;
using MoESim.Metrics;
using MoESim.Plots;
using MoESim.Serving;
using MoESim.Serving.ExpertParallel;

namespace MoESim.Cli;

/// <summary><c>moesim simulate</c>: serve a request stream on one device and report metrics.</summary>
internal static class SimulateCommand
{
    public const string DefaultModel = WorkloadOptions.DefaultModel;
    public const string DefaultHardware = "h100-sxm";
    public const string DefaultRequests = WorkloadOptions.DefaultRequests;
    public const string DefaultOut = "out/simulate";

    public static Command Build()
    {
        var workload = new WorkloadOptions();
        var hardware = new Option<string>("--hardware") { Description = "Device profile name (hardware-profiles/NAME.yaml) or YAML path", DefaultValueFactory = _ => DefaultHardware };
        var outDir = new Option<string>("--out") { Description = "Output folder for report.json, CSV tables and plots", DefaultValueFactory = _ => DefaultOut };
        var timeline = new Option<bool>("--timeline") { Description = "Also write timeline.json (Chrome trace events; open in Perfetto)" };
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip PNG/SVG plots" };
        var system = new Option<string?>("--system") { Description = "Multi-GPU system profile (e.g. systems/dgx-h100): expert-parallel serving instead of one device; --hardware is then unused" };
        var tensorParallel = new Option<int>("--tensor-parallel") { Description = "With --system: GPUs per attention tensor-parallel group", DefaultValueFactory = _ => 1 };
        var placement = new Option<string?>("--placement") { Description = "With --system: expert placement YAML (as written by moesim place); default contiguous blocks" };
        var allToAll = new Option<string>("--all-to-all") { Description = "With --system: how dispatch/combine cross machines: rail (to the same-index GPU there, then NVLink; DeepEP normal kernels) or direct (one flow per GPU pair)", DefaultValueFactory = _ => "rail" };
        var collectiveModel = new Option<string>("--collective-model") { Description = "With --system: how collectives are timed: flows (max-min fair flows per transfer), aggregated (per-link loads, one event per collective) or auto (flows up to 32 GPUs, aggregated above)", DefaultValueFactory = _ => "auto" };
        var dispatch = new Option<string>("--dispatch") { Description = "With --system: what a token sends: per-device (one copy per receiving GPU and machine; DeepEP normal kernels) or per-expert (one per chosen expert; Megatron, DeepEP low-latency)", DefaultValueFactory = _ => "per-device" };

        var command = new Command("simulate", "Simulate serving a request stream on one device (defaults: Mixtral-8x7B fp8 on an H100, 1,000 Azure conversation requests)");
        workload.AddTo(command);
        foreach (var option in new Option[] { hardware, outDir, timeline, noPlots, system, tensorParallel, placement, allToAll, dispatch, collectiveModel })
            command.Add(option);
        command.SetAction(parse =>
        {
            var options = workload.Read(parse, InputResolver.Hardware(parse.GetValue(hardware)!), parse.GetValue(timeline));
            var folder = parse.GetValue(outDir)!;
            var placementFile = parse.GetValue(placement);
            if (parse.GetValue(system) is { } systemName)
            {
                var systemPath = InputResolver.System(systemName);
                var experts = placementFile is null ? null : SimulateSystemRunner.LoadPlacement(placementFile, options, systemPath);
                var config = new ExpertParallelConfig
                {
                    TensorParallel = parse.GetValue(tensorParallel),
                    AllToAll = ParseAllToAll(parse.GetValue(allToAll)!),
                    Dispatch = ParseDispatch(parse.GetValue(dispatch)!),
                    CollectiveModel = ParseCollectiveModel(parse.GetValue(collectiveModel)!),
                    Serving = options.Serving,
                };
                SimulateSystemRunner.Run(options, systemPath, experts, placementFile, config, folder,
                    !parse.GetValue(noPlots), parse.InvocationConfiguration.Output);
                return CliApp.ExitOk;
            }
            if (placementFile is not null)
                throw new InputException(placementFile, "--placement", "places experts on a multi-GPU system: add --system");
            var run = ConsoleProgress.Run("Simulating", p => SimulationRunner.Run(options, p));
            var written = WriteOutputs(run, folder, !parse.GetValue(noPlots));
            SummaryPrinter.Print(run, written, parse.InvocationConfiguration.Output);
            return CliApp.ExitOk;
        });
        return command;
    }

    private static AllToAllAlgorithm ParseAllToAll(string text) => text switch
    {
        "rail" => AllToAllAlgorithm.RailForwarded,
        "direct" => AllToAllAlgorithm.Direct,
        _ => throw new InputException(text, "--all-to-all", "expected rail or direct"),
    };

    private static CollectiveModel? ParseCollectiveModel(string text) => text switch
    {
        "auto" => null,
        "flows" => CollectiveModel.Flows,
        "aggregated" => CollectiveModel.Aggregated,
        _ => throw new InputException(text, "--collective-model", "expected flows, aggregated or auto"),
    };

    private static DispatchPayload ParseDispatch(string text) => text switch
    {
        "per-device" => DispatchPayload.PerDevice,
        "per-expert" => DispatchPayload.PerExpert,
        _ => throw new InputException(text, "--dispatch", "expected per-device or per-expert"),
    };

    private static List<string> WriteOutputs(SimulationRun run, string folder, bool plots)
    {
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        var report = Path.Combine(folder, "report.json");
        ReportWriter.WriteReport(report, run.EchoedInputs, run.Metrics);
        files.Add(report);
        var requests = Path.Combine(folder, "requests.csv");
        ReportWriter.WriteRequestsCsv(requests, run.Result.Requests);
        files.Add(requests);
        var series = Path.Combine(folder, "timeseries.csv");
        ReportWriter.WriteTimeSeriesCsv(series, run.TimeSeries);
        files.Add(series);
        if (run.Result.Timeline is { } timeline)
        {
            var path = Path.Combine(folder, "timeline.json");
            timeline.WriteChromeTrace(path);
            files.Add(path);
        }
        if (plots)
        {
            foreach (var chart in ServingCharts.Save(run.TimeSeries, $"{run.Model.Name} on {run.Device.Name}", folder))
            {
                files.Add(chart.PngPath);
                files.Add(chart.SvgPath);
            }
        }
        return files;
    }
}
