using System.CommandLine;
using MoESim.Metrics;
using MoESim.Plots;
using MoESim.Serving;
using MoESim.Runs;
using MoESim.Serving.Policies;

namespace MoESim.Cli;

/// <summary>
/// <c>moesim simulate</c>: serve a request stream on one device or, expert-parallel, on a multi-GPU
/// system, as flags or a <c>--scenario</c> file say (<see cref="SimulateOptions"/>), and report metrics.
/// </summary>
internal static class SimulateCommand
{
    public const string DefaultModel = WorkloadOptions.DefaultModel;
    public const string DefaultHardware = "h100-sxm";
    public const string DefaultRequests = WorkloadOptions.DefaultRequests;
    public const string DefaultOut = "out/simulate";

    public static Command Build()
    {
        var options = new SimulateOptions();
        var command = new Command("simulate", "Simulate serving a request stream on one device or, with --system, expert-parallel on a multi-GPU system; or run a --scenario file (defaults: Mixtral-8x7B fp8 on an H100, 1,000 Azure conversation requests)");
        options.AddTo(command);
        command.SetAction(parse =>
        {
            var setup = options.Read(parse);
            var output = parse.InvocationConfiguration.Output;
            if (setup.Scenario is { } scenario)
                output.WriteLine($"scenario {scenario.Name} ({setup.ScenarioFile}, policy {setup.Policy.Name}){(scenario.Description is null ? "" : ": " + scenario.Description)}");
            var folder = options.OutDir(parse);
            var plots = options.Plots(parse);
            // The explicit factory made the policy; each policy has its runner here.
            switch (setup.Policy)
            {
                case ExpertParallelPolicy ep:
                {
                    var systemPath = setup.SystemPath!;
                    var experts = ep.PlacementPath is null ? null : SimulateSystemRunner.LoadPlacement(ep.PlacementPath, setup.Options, systemPath);
                    SimulateSystemRunner.WarnIdleGpus(setup.Options, systemPath, experts, parse.InvocationConfiguration.Error);
                    SimulateSystemRunner.Run(setup.Options, systemPath, experts, ep.PlacementPath, ep.ToConfig(setup.Options.Serving), folder,
                        plots, output, setup.ScenarioFile);
                    break;
                }
                case PipelineParallelPolicy pp:
                {
                    var run = ConsoleProgress.Run("Simulating", p => PipelineParallelSimulation.Run(setup.Options, setup.SystemPath!, pp.MicroBatches, p));
                    if (setup.ScenarioFile is { } file)
                        run = run with { EchoedInputs = new Dictionary<string, string>(run.EchoedInputs) { ["scenario"] = file } };
                    SummaryPrinter.Print(run, WriteOutputs(run, folder, plots), output);
                    break;
                }
                case SingleDevicePolicy:
                {
                    var run = ConsoleProgress.Run("Simulating", p => SimulationRunner.Run(setup.Options, p));
                    if (setup.ScenarioFile is { } file)
                        run = run with { EchoedInputs = new Dictionary<string, string>(run.EchoedInputs) { ["scenario"] = file } };
                    var written = WriteOutputs(run, folder, plots);
                    SummaryPrinter.Print(run, written, output);
                    break;
                }
                default:
                    throw new InvalidOperationException($"policy {setup.Policy.Name} has no runner in simulate");
            }
            return CliApp.ExitOk;
        });
        return command;
    }

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
            foreach (var chart in ServingCharts.Save(run.TimeSeries, $"{run.Model.Name} on {run.PlatformDescription}", folder))
            {
                files.Add(chart.PngPath);
                files.Add(chart.SvgPath);
            }
        }
        return files;
    }
}
