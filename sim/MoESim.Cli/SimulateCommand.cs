using System.CommandLine;
using MoESim.Collectives;
using MoESim.Config;
using MoESim.Metrics;
using MoESim.Plots;
using MoESim.Serving;
using MoESim.Serving.ExpertParallel;
using MoESim.Units;

namespace MoESim.Cli;

/// <summary><c>moesim simulate</c>: serve a request stream on one device and report metrics.</summary>
internal static class SimulateCommand
{
    public const string DefaultModel = "mixtral-8x7b-fp8";
    public const string DefaultHardware = "h100-sxm";
    public const string DefaultRequests = "traces/requests/splitwise-conv-1000.csv";
    public const string DefaultOut = "out/simulate";

    public static Command Build()
    {
        var model = new Option<string>("--model") { Description = "Model name (models/NAME.yaml) or YAML path", DefaultValueFactory = _ => DefaultModel };
        var hardware = new Option<string>("--hardware") { Description = "Device profile name (hardware-profiles/NAME.yaml) or YAML path", DefaultValueFactory = _ => DefaultHardware };
        var requests = new Option<string?>("--requests") { Description = $"Request trace CSV (MoESim, Azure or Splitwise layout); default {DefaultRequests}" };
        var maxRequests = new Option<int?>("--max-requests") { Description = "Use only the first N requests of the trace" };
        var poisson = new Option<double?>("--poisson-rate") { Description = "Generate Poisson arrivals at this rate (requests/s) instead of reading a trace" };
        var poissonCount = new Option<int>("--poisson-requests") { Description = "Number of generated requests", DefaultValueFactory = _ => 200 };
        var prompt = new Option<int>("--prompt-tokens") { Description = "Prompt length of generated requests (tokens)", DefaultValueFactory = _ => 512 };
        var output = new Option<int>("--output-tokens") { Description = "Output length of generated requests (tokens)", DefaultValueFactory = _ => 128 };
        var weightDtype = new Option<string?>("--weight-dtype") { Description = $"Override the model's weight data type ({DataTypes.AcceptedNames})" };
        var zipf = new Option<double>("--zipf") { Description = "Zipf exponent of expert popularity for the synthetic router (0 = uniform)", DefaultValueFactory = _ => 0.0 };
        var trace = new Option<string?>("--trace") { Description = "Expert-selection trace to replay (.jsonl, .moetrace or .csv; shape must match the model) instead of the synthetic router" };
        var routerParams = new Option<string?>("--router-params") { Description = "Synthetic router v2 parameters (params.json from `trace gen`/`trace gen --fit`: popularity, locality, affinity per phase); --seed replaces the file's seed" };
        var seed = new Option<ulong>("--seed") { Description = "Seed for every random choice", DefaultValueFactory = _ => 42UL };
        var maxTokens = new Option<int>("--max-batch-tokens") { Description = "Token budget per forward pass", DefaultValueFactory = _ => 8192 };
        var maxSeqs = new Option<int>("--max-seqs") { Description = "Most sequences running at once", DefaultValueFactory = _ => 256 };
        var memUtil = new Option<double>("--memory-utilization") { Description = "Fraction of device memory for weights and KV cache", DefaultValueFactory = _ => 0.9 };
        var outDir = new Option<string>("--out") { Description = "Output folder for report.json, CSV tables and plots", DefaultValueFactory = _ => DefaultOut };
        var timeline = new Option<bool>("--timeline") { Description = "Also write timeline.json (Chrome trace events; open in Perfetto)" };
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip PNG/SVG plots" };
        var system = new Option<string?>("--system") { Description = "Multi-GPU system profile (e.g. systems/dgx-h100): expert-parallel serving instead of one device; --hardware is then unused" };
        var tensorParallel = new Option<int>("--tensor-parallel") { Description = "With --system: GPUs per attention tensor-parallel group", DefaultValueFactory = _ => 1 };
        var placement = new Option<string?>("--placement") { Description = "With --system: expert placement YAML (as written by moesim place); default contiguous blocks" };
        var allToAll = new Option<string>("--all-to-all") { Description = "With --system: how dispatch/combine cross machines: rail (to the same-index GPU there, then NVLink; DeepEP normal kernels) or direct (one flow per GPU pair)", DefaultValueFactory = _ => "rail" };
        var dispatch = new Option<string>("--dispatch") { Description = "With --system: what a token sends: per-device (one copy per receiving GPU and machine; DeepEP normal kernels) or per-expert (one per chosen expert; Megatron, DeepEP low-latency)", DefaultValueFactory = _ => "per-device" };

        var command = new Command("simulate", "Simulate serving a request stream on one device (defaults: Mixtral-8x7B fp8 on an H100, 1,000 Azure conversation requests)")
        {
            model, hardware, requests, maxRequests, poisson, poissonCount, prompt, output, weightDtype, zipf, trace, routerParams, seed, maxTokens, maxSeqs, memUtil, outDir, timeline, noPlots,
            system, tensorParallel, placement, allToAll, dispatch,
        };
        command.SetAction(parse =>
        {
            DataType? weights = null;
            var dtypeText = parse.GetValue(weightDtype);
            if (dtypeText is not null)
            {
                if (!DataTypes.TryParse(dtypeText, out var dt))
                    throw new InputException(dtypeText, "--weight-dtype", $"unknown data type (expected one of {DataTypes.AcceptedNames})");
                weights = dt;
            }
            var rate = parse.GetValue(poisson);
            if (rate is not null && rate <= 0) throw new InputException($"{rate}", "--poisson-rate", "must be greater than zero");
            var options = new SimulationOptions
            {
                ModelPath = InputResolver.Model(parse.GetValue(model)!),
                HardwarePath = InputResolver.Hardware(parse.GetValue(hardware)!),
                RequestTracePath = rate is null ? (parse.GetValue(requests) ?? InputResolver.Shipped(DefaultRequests)) : null,
                MaxRequests = parse.GetValue(maxRequests),
                PoissonRatePerSecond = rate ?? 1,
                PoissonRequests = parse.GetValue(poissonCount),
                PromptTokensMin = parse.GetValue(prompt),
                PromptTokensMax = parse.GetValue(prompt),
                OutputTokensMin = parse.GetValue(output),
                OutputTokensMax = parse.GetValue(output),
                WeightDataType = weights,
                RouterZipfExponent = parse.GetValue(zipf),
                RoutingTracePath = parse.GetValue(trace),
                RouterParametersPath = parse.GetValue(routerParams),
                Seed = parse.GetValue(seed),
                Serving = new ServingConfig
                {
                    MaxBatchTokens = parse.GetValue(maxTokens),
                    MaxSequences = parse.GetValue(maxSeqs),
                    MemoryUtilization = parse.GetValue(memUtil),
                    RecordTimeline = parse.GetValue(timeline),
                },
            };
            if (options.PoissonRequests < 1 || options.PromptTokensMin < 1 || options.OutputTokensMin < 1)
                throw new InputException("options", "--poisson-requests/--prompt-tokens/--output-tokens", "must be at least 1");
            if (options.RouterZipfExponent is < 0 or > 4)
                throw new InputException($"{options.RouterZipfExponent}", "--zipf", "must be between 0 and 4");
            if (options.RoutingTracePath is not null && options.RouterZipfExponent != 0)
                throw new InputException($"{options.RouterZipfExponent}", "--zipf", "applies to the synthetic router only; drop it when replaying --trace");
            if (options.RouterParametersPath is not null && (options.RoutingTracePath is not null || options.RouterZipfExponent != 0))
                throw new InputException(options.RouterParametersPath, "--router-params", "sets the whole synthetic router: drop --trace and --zipf");
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
