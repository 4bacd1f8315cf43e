using System.CommandLine;
using System.Globalization;
using MoESim.Config;
using MoESim.Hardware;
using MoESim.Hardware.Topology;
using MoESim.Planning;
using MoESim.Plots;
using MoESim.Runs;

namespace MoESim.Cli;

/// <summary>
/// <c>moesim plan</c>: how many of which devices (or multi-GPU systems) serve a workload within a
/// latency objective at the lowest price. Writes plan.csv, report.json and the cost curves.
/// </summary>
internal static class PlanCommand
{
    public const string DefaultHardware = "a100-80gb,h100-sxm,h200";
    public const string DefaultOut = "out/plan";

    public static Command Build()
    {
        var workload = new WorkloadOptions();
        var hardware = new Option<string>("--hardware") { Description = "Comma-separated device profiles to try as single-device replicas (names or YAML paths); empty for none", DefaultValueFactory = _ => DefaultHardware };
        var systems = new Option<string?>("--systems") { Description = "Comma-separated multi-GPU system profiles to try as expert-parallel replicas (e.g. dgx-h100)" };
        var tpot = new Option<double>("--tpot-slo-ms") { Description = "Most time per output token at the SLO percentile, ms", DefaultValueFactory = _ => 20 }.Finite();
        var ttft = new Option<double?>("--ttft-slo-ms") { Description = "Most time to first token at the SLO percentile, ms (default: no limit)" }.Finite();
        var percentile = new Option<int>("--slo-percentile") { Description = "Percentile of all requests the limits apply to: 50, 90 or 99", DefaultValueFactory = _ => 90 };
        var maxReplicas = new Option<int>("--max-replicas") { Description = "Try 1 to N replicas of each candidate", DefaultValueFactory = _ => 4 };
        var loadScale = new Option<double>("--load-scale") { Description = "Speed up the arrivals by this factor (the load of that many times the users)", DefaultValueFactory = _ => 1.0 }.Finite();
        var outDir = new Option<string>("--out") { Description = "Output folder for plan.csv, report.json and plots", DefaultValueFactory = _ => DefaultOut }.WritableFolder();
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip PNG/SVG plots" };
        var command = new Command("plan", "Capacity plan: the cheapest number of replicas of each device or system that meets a TPOT (and TTFT) objective for a workload (defaults: Mixtral-8x7B fp8, 1,000 Azure conversation requests, A100/H100/H200, TPOT p90 <= 20 ms)");
        workload.AddTo(command);
        foreach (var option in new Option[] { hardware, systems, tpot, ttft, percentile, maxReplicas, loadScale, outDir, noPlots })
            command.Add(option);
        command.SetAction(parse =>
        {
            var candidates = Candidates(parse.GetValue(hardware)!, parse.GetValue(systems));
            // The device path is unused by the planner (each candidate brings its own); the first keeps the options complete.
            var options = workload.Read(parse, candidates[0].DevicePath ?? candidates[0].SystemPath!);
            var objective = new LatencyObjective
            {
                Percentile = parse.GetValue(percentile),
                TpotSeconds = parse.GetValue(tpot) / 1e3,
                TtftSeconds = parse.GetValue(ttft) / 1e3,
            };
            var replicas = parse.GetValue(maxReplicas);
            var scale = parse.GetValue(loadScale);
            var plan = ConsoleProgress.Run("Planning", p => CapacityPlanner.Plan(options, candidates, objective, replicas, scale, p));
            var folder = parse.GetValue(outDir)!;
            Directory.CreateDirectory(folder);
            var files = new List<string> { Path.Combine(folder, "plan.csv"), Path.Combine(folder, "report.json") };
            CapacityPlanWriter.WriteCsv(files[0], plan);
            CapacityPlanWriter.WriteReport(files[1], Echo(options, candidates, replicas, scale), plan);
            var workloadName = Workload(options, scale);
            if (!parse.GetValue(noPlots))
                foreach (var chart in CapacityPlanCharts.Save(plan, $"{plan.ModelName}, {workloadName}", folder))
                {
                    files.Add(chart.PngPath);
                    files.Add(chart.SvgPath);
                }
            Print(plan, workloadName, files, parse.InvocationConfiguration.Output);
            return CliApp.ExitOk;
        });
        return command;
    }

    private static List<CapacityCandidate> Candidates(string devices, string? systems)
    {
        var candidates = new List<CapacityCandidate>();
        foreach (var name in Split(devices))
        {
            var path = InputResolver.Hardware(name);
            var profile = DeviceProfileLoader.Load(path);
            candidates.Add(new CapacityCandidate { Name = profile.Name, DevicePath = path, DevicesPerReplica = 1, PricePerHourUsd = profile.PricePerHourUsd });
        }
        foreach (var name in Split(systems ?? ""))
        {
            var path = InputResolver.System(name);
            var system = SystemProfileLoader.Load(path);
            candidates.Add(new CapacityCandidate { Name = system.Name, SystemPath = path, DevicesPerReplica = system.DeviceCount, PricePerHourUsd = system.PricePerHourUsd });
        }
        if (candidates.Count == 0) throw new InputException("options", "--hardware/--systems", "name at least one device or system to plan with");
        var twice = candidates.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new InputException(twice.Key, "--hardware/--systems", "is listed twice");
        return candidates;
    }

    private static IEnumerable<string> Split(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string Workload(Runs.SimulationOptions o, double scale)
    {
        var inv = CultureInfo.InvariantCulture;
        var source = o.RequestTracePath is { } trace
            ? Path.GetFileNameWithoutExtension(trace) + (o.MaxRequests is { } n ? string.Create(inv, $" (first {n})") : "")
            : string.Create(inv, $"Poisson {o.PoissonRatePerSecond:G4}/s");
        return scale == 1 ? source : string.Create(inv, $"{source} × {scale:G4} load");
    }

    private static Dictionary<string, string> Echo(Runs.SimulationOptions o, IReadOnlyList<CapacityCandidate> candidates, int replicas, double scale)
    {
        var inv = CultureInfo.InvariantCulture;
        return new Dictionary<string, string>
        {
            ["model_file"] = o.ModelPath,
            ["requests"] = o.RequestTracePath ?? $"poisson rate {o.PoissonRatePerSecond.ToString(inv)}/s, {o.PoissonRequests.ToString(inv)} requests, prompt {o.PromptTokensMin}, output {o.OutputTokensMin}",
            ["max_requests"] = o.MaxRequests?.ToString(inv) ?? "all",
            ["load_scale"] = scale.ToString(inv),
            ["candidates"] = string.Join(",", candidates.Select(c => c.Name)),
            ["max_replicas"] = replicas.ToString(inv),
            ["routing_trace"] = o.RoutingTracePath ?? "none (synthetic router)",
            ["router_zipf"] = o.RouterZipfExponent.ToString(inv),
            ["seed"] = o.Seed.ToString(inv),
            ["max_batch_tokens"] = o.Serving.MaxBatchTokens.ToString(inv),
            ["max_sequences"] = o.Serving.MaxSequences.ToString(inv),
            ["memory_utilization"] = o.Serving.MemoryUtilization.ToString(inv),
        };
    }

    private static void Print(CapacityPlan plan, string workload, List<string> files, TextWriter o)
    {
        var inv = CultureInfo.InvariantCulture;
        var p = plan.Objective.Percentile;
        var ttft = plan.Objective.TtftSeconds is { } t ? string.Create(inv, $", TTFT p{p} <= {t * 1e3:G4} ms") : "";
        o.WriteLine(string.Create(inv, $"capacity plan: {plan.ModelName}, {workload}; objective TPOT p{p} <= {plan.Objective.TpotSeconds * 1e3:G4} ms{ttft}"));
        o.WriteLine($"candidate            replicas  GPUs  USD/h    TPOT p{p} ms  TTFT p{p} ms  out tok/s   USD/M tok  meets");
        foreach (var r in plan.Rows)
        {
            if (r.Note.Length > 0)
            {
                o.WriteLine(string.Create(inv, $"{r.Candidate.Name,-20} {r.Replicas,8}  {r.Devices,4}  {r.PricePerHourUsd,7:F2}  not simulated: {r.Note}"));
                continue;
            }
            o.WriteLine(string.Create(inv,
                $"{r.Candidate.Name,-20} {r.Replicas,8}  {r.Devices,4}  {r.PricePerHourUsd,7:F2}  {r.TpotSeconds * 1e3,11:F2}  {r.TtftSeconds * 1e3,11:F1}  {r.OutputTokensPerSecond,9:F1}  {r.UsdPerMillionOutputTokens,10:F3}  {(r.MeetsObjective ? "yes" : "no")}"));
        }
        o.WriteLine(plan.Best is { } best
            ? string.Create(inv, $"cheapest meeting the objective: {best.Replicas} x {best.Candidate.Name} ({best.Devices} GPU{(best.Devices == 1 ? "" : "s")}, ${best.PricePerHourUsd:F2}/h, TPOT p{p} {best.TpotSeconds * 1e3:F2} ms, ${best.UsdPerMillionOutputTokens:F3} per million output tokens)")
            : $"no option meets the objective: try more replicas (--max-replicas) or other hardware");
        o.WriteLine($"wrote {DisplayPath.Join(files)}");
    }
}
