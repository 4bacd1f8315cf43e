using System.CommandLine;
using MoESim.Config;
using MoESim.Cost;
using MoESim.Hardware.Topology;
using MoESim.IO;
using MoESim.Models;
using MoESim.Parallelism;
using MoESim.Placement;
using MoESim.Plots;
using MoESim.Traces;

namespace MoESim.Cli;

/// <summary>
/// <c>moesim place</c>: place experts from a routing trace with every strategy, score all of
/// them on the fit part and on the held-out part of the trace, and write the chosen placement.
/// </summary>
internal static class PlaceCommand
{
    public const string DefaultOut = "out/place";

    public static Command Build()
    {
        var trace = new Option<string>("--trace") { Description = "Expert-selection trace (.jsonl/.moetrace/.csv), or 'synthetic' for a seeded Zipf router", Required = true };
        var system = new Option<string>("--system") { Description = "System profile name (hardware-profiles/systems/NAME.yaml) or YAML path", Required = true };
        var model = new Option<string>("--model") { Description = "Model name (models/NAME.yaml) or YAML path; its shape must match the trace", DefaultValueFactory = _ => "deepseek-v3" };
        var strategy = new Option<string>("--strategy") { Description = $"Strategy whose placement is written: {string.Join(", ", PlacementStrategies.Names)}", DefaultValueFactory = _ => "ilp" };
        var replicas = new Option<int>("--replicas") { Description = "Extra expert copies per layer for greedy and ILP (EPLB redundant experts)", DefaultValueFactory = _ => 0 }.InRange(0);
        var holdout = new Option<double>("--holdout") { Description = "Share of requests (last in the trace) held out for scoring, [0, 1)", DefaultValueFactory = _ => 0.25 }.InRange(0, 1, maxExclusive: true);
        var timeLimit = new Option<double>("--time-limit") { Description = "ILP wall-clock budget over all layers, seconds", DefaultValueFactory = _ => 30 }.InRange(0, double.MaxValue, minExclusive: true);
        var workers = new Option<int>("--workers") { Description = "CP-SAT workers per solve: 1 repeats exactly when each layer ends on its deterministic budget (not on a loaded machine); more adds LNS workers, better placements on many cores but not repeatable", DefaultValueFactory = _ => 1 }.InRange(1);
        var batch = new Option<double>("--batch-tokens") { Description = "Tokens per device in one serving step", DefaultValueFactory = _ => 256 }.InRange(0, double.MaxValue, minExclusive: true);
        var path = new Option<string>("--token-path") { Description = "follow-experts (MoETuner) or return-to-origin (DP attention every layer)", DefaultValueFactory = _ => "follow-experts" };
        var zipf = new Option<double>("--zipf") { Description = "Zipf exponent of the synthetic router", DefaultValueFactory = _ => 1.2 }.InRange(0, 4);
        var requests = new Option<int>("--synthetic-requests") { Description = "Requests of the synthetic trace", DefaultValueFactory = _ => 256 }.InRange(2);
        var seed = new Option<ulong>("--seed") { Description = "Seed of the synthetic trace", DefaultValueFactory = _ => 42UL };
        var outDir = new Option<string>("--out") { Description = "Output folder", DefaultValueFactory = _ => DefaultOut }.WritableFolder();
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip PNG/SVG plots" };
        var windows = new Option<int?>("--windows") { Description = "Also re-place with --strategy over N >= 2 consecutive windows of the held-out part, in time order (see --window-order): window w >= 1 is placed from window w-1, scored against the static placement, with the cost of moving expert weights (windows.csv, windows.png)" }.InRange(2);
        var windowOrder = new Option<string?>("--window-order") { Description = "Time order of trace steps for --windows: file (as listed: serving order of a recorded trace; default) or iteration (by each request's step number, requests running together: for traces written request after request, such as trace gen's)" };
        var stepsPerWindow = new Option<double?>("--steps-per-window") { Description = $"Serving steps one window stands for, over which a migration is amortised (with --windows; default {PlaceWindows.DefaultServingStepsPerWindow})" }.InRange(0, double.MaxValue, minExclusive: true);
        var simRequests = new Option<int>("--sim-requests") { Description = "Requests (512-token prompts, 16 output tokens, all queued at once) served end to end with each placement for sim_tokens_per_s, routed like the held-out part; 0 skips", DefaultValueFactory = _ => new SimulatedWorkload().Requests }.InRange(0, rule: "0 (skip) or more");
        var command = new Command("place", "Place experts on a system's devices (round-robin, greedy with replicas, ILP) and compare them on fit and held-out parts of a routing trace")
        {
            trace, system, model, strategy, replicas, holdout, timeLimit, workers, batch, path, zipf, requests, seed, outDir, noPlots, simRequests, windows, windowOrder, stepsPerWindow,
        };
        command.SetAction(parse =>
        {
            var chosen = parse.GetValue(strategy)!;
            _ = PlacementStrategies.Create(chosen); // unknown names fail before any work
            var windowOptions = PlaceWindows.Options(parse.GetValue(windows), parse.GetValue(windowOrder), parse.GetValue(stepsPerWindow));
            var modelConfig = ModelLoader.Load(InputResolver.Model(parse.GetValue(model)!));
            if (modelConfig.Moe is null) throw new InputException(modelConfig.Name, "--model", "has no MoE layers to place");
            var topology = SystemProfileLoader.Load(ResolveSystem(parse.GetValue(system)!));
            var work = new ModelWork(modelConfig);
            var device = topology.Devices[0].Profile;
            var placementSystem = PlacementSystems.From(topology, work);
            var extra = parse.GetValue(replicas);
            if (extra < 0) throw new InputException($"{extra}", "--replicas", "must be 0 or more");
            var tokenPath = parse.GetValue(path) switch
            {
                "follow-experts" => TokenPath.FollowExperts,
                "return-to-origin" => TokenPath.ReturnToOrigin,
                var other => throw new InputException(other!, "--token-path", "expected follow-experts or return-to-origin"),
            };
            if (!(parse.GetValue(batch) > 0)) throw new InputException($"{parse.GetValue(batch)}", "--batch-tokens", "must be greater than zero");
            if (!(parse.GetValue(timeLimit) > 0)) throw new InputException($"{parse.GetValue(timeLimit)}", "--time-limit", "must be greater than zero");
            if (parse.GetValue(workers) < 1) throw new InputException($"{parse.GetValue(workers)}", "--workers", "must be at least 1");
            var problem = new PlacementProblem
            {
                System = placementSystem,
                Time = ExpertTimeModel.From(work, new RooflineTimeModel(device)),
                ExpertWeightBytes = work.ExpertWeightBytes,
                TokensPerDevicePerStep = parse.GetValue(batch),
                ExtraReplicasPerLayer = extra,
                TokenPath = tokenPath,
            };
            var slots = problem.SlotsPerDevice(modelConfig.Moe.NumExperts);
            var need = (double)slots * modelConfig.NumMoeLayers * work.ExpertWeightBytes;
            if (need > placementSystem.ExpertMemoryBytesPerDevice)
                throw new InputException($"{extra}", "--replicas", $"{slots} expert copies per layer per device need {need / (1L << 30):F1} GiB, over the {placementSystem.ExpertMemoryBytesPerDevice / (1L << 30):F1} GiB a {device.Name} has for experts");
            var shape = new TraceShape { NumMoeLayers = modelConfig.NumMoeLayers, NumExperts = modelConfig.Moe.NumExperts, TopK = modelConfig.Moe.TopK, ModelName = modelConfig.Name };
            var open = Source(parse.GetValue(trace)!, shape, parse.GetValue(zipf), parse.GetValue(requests), parse.GetValue(seed));
            var (fit, held) = HeldOutSplit.Split(open, shape, placementSystem.NumDevices, parse.GetValue(holdout));
            var plan = windowOptions is { } w ? TraceWindows.Plan(open, shape, placementSystem.NumDevices, parse.GetValue(holdout), w.Windows, w.Order) : null;
            var strategies = PlacementStrategies.Names.Select(n => PlacementStrategies.Create(n, parse.GetValue(timeLimit), parse.GetValue(workers)));
            var rows = ConsoleProgress.Run("Placing", p => PlacementComparison.Run(strategies, fit, held, problem, p));
            var simulated = parse.GetValue(simRequests);
            if (simulated < 0) throw new InputException($"{simulated}", "--sim-requests", "must be 0 (skip) or more");
            if (simulated > 0)
            {
                var workload = new SimulatedWorkload { Requests = simulated, Seed = parse.GetValue(seed) };
                rows = PlacementEndToEnd.Score(rows, modelConfig, topology, workload, parse.GetValue(trace)!, shape, parse.GetValue(holdout),
                    parse.GetValue(zipf), parse.GetValue(seed));
            }
            var folder = parse.GetValue(outDir)!;
            var written = Write(rows, chosen, folder, !parse.GetValue(noPlots), $"{modelConfig.Name} on {topology.Name}");
            var o = parse.InvocationConfiguration.Output;
            o.WriteLine($"{modelConfig.Name} on {topology.Name} ({placementSystem.NumDevices} devices, {slots} expert slots per device per layer), {fit.Tokens} fit / {held.Tokens} held-out tokens, {problem.TokensPerDevicePerStep} tokens per device per step, token path {parse.GetValue(path)}");
            o.Write(PlacementComparison.ToMarkdown(rows));
            foreach (var row in rows) o.WriteLine($"{row.Result.Placement.Strategy}: {row.Result.Note}");
            o.WriteLine("moe_tokens_per_s counts the MoE layers only (expert compute + all-to-all), not attention.");
            if (simulated > 0)
                o.WriteLine($"sim_tokens_per_s: {simulated} requests of 512 prompt + 16 output tokens served end to end (expert-parallel serving, all layers), routed like the held-out part; (prompt + output tokens) / makespan.");
            if (plan is not null)
            {
                var replacing = PlacementStrategies.Create(chosen, parse.GetValue(timeLimit), parse.GetValue(workers));
                var (text, files) = PlaceWindows.Run(plan, replacing, rows.First(r => r.Result.Placement.Strategy == chosen), problem, windowOptions!.Value.StepsPerWindow,
                    folder, !parse.GetValue(noPlots), $"{modelConfig.Name} on {topology.Name}");
                o.Write(text);
                written.AddRange(files);
            }
            foreach (var f in written) o.WriteLine($"wrote {DisplayPath.Of(f)}");
            return CliApp.ExitOk;
        });
        return command;
    }

    private static string ResolveSystem(string nameOrPath)
    {
        if (File.Exists(nameOrPath)) return nameOrPath;
        var candidate = Path.Combine(InputResolver.RepositoryRoot, "hardware-profiles", "systems", nameOrPath.EndsWith(".yaml", StringComparison.Ordinal) ? nameOrPath : nameOrPath + ".yaml");
        if (File.Exists(candidate)) return candidate;
        var folder = Path.Combine(InputResolver.RepositoryRoot, "hardware-profiles", "systems");
        var known = Directory.Exists(folder) ? string.Join(", ", Directory.GetFiles(folder, "*.yaml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)) : "(none)";
        throw new InputException(nameOrPath, "--system", $"no such file, and no shipped system of that name; known: {known}");
    }

    /// <summary>Opens the trace from its start (a file, or the seeded synthetic trace generated once and held in memory).</summary>
    private static Func<IRoutingTraceReader> Source(string trace, TraceShape shape, double zipf, int requests, ulong seed)
    {
        if (trace == "synthetic")
        {
            if (zipf is < 0 or > 4) throw new InputException($"{zipf}", "--zipf", "must be between 0 and 4");
            if (requests < 2) throw new InputException($"{requests}", "--synthetic-requests", "must be at least 2");
            var config = new SyntheticRouterConfig { NumMoeLayers = shape.NumMoeLayers, NumExperts = shape.NumExperts, TopK = shape.TopK, ZipfExponent = zipf, Seed = seed };
            var steps = SyntheticTrace.Generate(config, requests, stepsPerRequest: 4, tokensPerStep: 8);
            return () => new InMemoryTraceReader(steps, shape);
        }
        if (!File.Exists(trace)) throw new InputException(trace, "--trace", "file not found");
        return () => TraceFiles.Open(trace);
    }

    private static List<string> Write(IReadOnlyList<PlacementComparisonRow> rows, string chosen, string folder, bool plots, string title)
    {
        Directory.CreateDirectory(folder);
        var files = new List<string>();
        var best = rows.First(r => r.Result.Placement.Strategy == chosen);
        var yaml = Path.Combine(folder, "placement.yaml");
        ExpertPlacementYamlWriter.Save(yaml, best.Result.Placement);
        files.Add(yaml);
        var csv = Path.Combine(folder, "comparison.csv");
        AtomicFile.WriteAllText(csv, PlacementComparison.ToCsv(rows));
        files.Add(csv);
        var md = Path.Combine(folder, "comparison.md");
        AtomicFile.WriteAllText(md, $"# Expert placement: {title}\n\nScored on the fit part and on the held-out part of the trace.\n\n" + PlacementComparison.ToMarkdown(rows));
        files.Add(md);
        foreach (var row in rows)
        {
            if (PlacementComparison.LayerGapsCsv(row) is not { } gaps) continue;
            var path = Path.Combine(folder, $"{row.Result.Placement.Strategy}-layer-gaps.csv");
            AtomicFile.WriteAllText(path, gaps);
            files.Add(path);
        }
        if (!plots) return files;
        var devices = best.HeldOut.DeviceLoadTokens.Length;
        var names = Enumerable.Range(0, devices).Select(d => $"gpu{d}").ToArray();
        var bars = BarChart.Save(new BarChartData
        {
            Title = $"Per-device expert load (held-out part), {title}",
            CategoryAxisLabel = "Device",
            ValueAxisLabel = "Token-expert pairs per step (mean over MoE layers)",
            Categories = names,
            Groups = rows.Select(r => new BarGroup { Name = r.Result.Placement.Strategy, Values = r.HeldOut.DeviceLoadTokens }).ToList(),
        }, Path.Combine(folder, "device-load"));
        files.Add(bars.PngPath);
        var traffic = best.HeldOut.TrafficBytes;
        var mb = new double[devices, devices];
        for (var a = 0; a < devices; a++) for (var b = 0; b < devices; b++) mb[a, b] = a == b ? double.NaN : traffic[a, b] / 1e6; // grey diagonal: a device's own tokens never cross a link
        var heat = HeatmapChart.Save(new HeatmapChartData
        {
            Title = $"Device-to-device traffic, {chosen} placement (held-out part)",
            XAxisLabel = "Destination device",
            YAxisLabel = "Source device",
            ColorBarLabel = "MB per step (all MoE layers)",
            RowLabels = names,
            ColumnLabels = names,
            Values = mb,
        }, Path.Combine(folder, "traffic-heatmap"));
        files.Add(heat.PngPath);
        return files;
    }
}
