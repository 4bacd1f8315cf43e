using MoESim.Runs;
using System.Diagnostics;
using System.Globalization;
using MoESim.Collectives;
using MoESim.Hardware.Topology;
using MoESim.Models;
using MoESim.Parallelism;
using MoESim.Serving;
using MoESim.Serving.ExpertParallel;
using MoESim.Traces;

namespace MoESim.Benchmarks;

/// <summary>
/// Stopwatch measurements of expert-parallel serving at scale (one run takes seconds to
/// minutes, too long for BenchmarkDotNet's repetitions). Two scenarios, DeepSeek-V3 (58 MoE
/// layers, 256 experts, top-8) with the synthetic Zipf-1 router:
/// <list type="bullet">
/// <item><c>ep320</c>: 320 H100s (dgx-h100-40node), 96 sequences per GPU (the CloudMatrix-Infer
/// decode point, ../shared/reference/cloudmatrix384.yaml id decode-50ms), 1-token prompts and
/// <c>--steps</c> output tokens, so every step carries 30,720 tokens; 256 experts plus 64 redundant
/// copies of experts 0-63 on GPUs 256-319 (half the tokens each).</item>
/// <item><c>ep32</c>: 32 H100s (dgx-h100-4node), <c>--requests</c> requests (4,096 by default) of
/// 4,096 prompt and 256 output tokens arriving together, 128 sequences per GPU, contiguous placement.</item>
/// </list>
/// Prints wall time, steps, events and steps/s, then the per-token part of a step measured
/// alone: routing (the router's RouteTokens), planning (MoeStepRouting.Plan) and the 58 dispatch
/// all-to-alls of one full decode batch, each the fastest of five runs. Run on one core:
/// <c>taskset -c 0 dotnet run -c Release --project sim/MoESim.Benchmarks -- scale ep320 [--steps N] [--collective-model flows|aggregated]</c>.
/// </summary>
internal static class ScaleBenchmark
{
    private const int PlanRepetitions = 5;

    public static int Run(string[] args)
    {
        string scenario = args.Length > 0 ? args[0] : "ep320";
        int steps = IntOption(args, "--steps", 1000);
        int requests = IntOption(args, "--requests", 4096);
        CollectiveModel? collectives = Option(args, "--collective-model") switch
        {
            null or "auto" => null,
            "flows" => CollectiveModel.Flows,
            "aggregated" => CollectiveModel.Aggregated,
            var other => throw new ArgumentException($"--collective-model: expected flows, aggregated or auto, got {other}"),
        };
        var root = RepositoryRoot.Find();
        var model = ModelLoader.Load(Path.Combine(root, "models", "deepseek-v3.yaml"));
        var moe = model.Moe!;
        var router = new SyntheticRouter(new SyntheticRouterConfig
        {
            NumMoeLayers = model.NumMoeLayers, NumExperts = moe.NumExperts, TopK = moe.TopK, ZipfExponent = 1.0, Seed = 42,
        });
        (string systemName, int perGpu, int prompt, int output, int count) = scenario switch
        {
            "ep320" => ("dgx-h100-40node", 96, 1, steps, 320 * 96),
            "ep32" => ("dgx-h100-4node", 128, 4096, 256, requests),
            _ => throw new ArgumentException($"unknown scenario {scenario}: ep320 or ep32"),
        };
        var system = SystemProfileLoader.Load(Path.Combine(root, "hardware-profiles", "systems", systemName + ".yaml"));
        int devices = system.DeviceCount;
        var placement = scenario == "ep320" ? WithRedundantCopies(model.NumMoeLayers, moe.NumExperts, devices) : null;
        var list = new Request[count];
        for (int i = 0; i < count; i++) list[i] = new Request(i, 0, prompt, output);
        var config = new ExpertParallelConfig
        {
            CollectiveModel = collectives,
            Serving = new ServingConfig { MaxSequences = perGpu, MaxBatchTokens = 8192 },
        };
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"scenario {scenario}: {model.Name} on {system.Name} ({devices} GPUs), {count} requests (prompt {prompt}, output {output}), {perGpu} sequences per GPU, collectives {collectives?.ToString() ?? $"auto ({Collective.DefaultModelFor(devices)})"}"));

        var clock = Stopwatch.StartNew();
        var result = ExpertParallelRunner.Run(model, system, placement, router, list, config);
        double wall = clock.Elapsed.TotalSeconds;
        long events = result.Serving.EventsProcessed;
        Console.WriteLine(string.Create(inv,
            $"wall {wall:F2} s, {result.Steps} steps, {events} events ({(double)events / result.Steps:F0} per step), {result.Steps / wall:F1} steps/s, {wall / result.Steps * 1e3:F2} ms per step"));
        Console.WriteLine(string.Create(inv,
            $"simulated: makespan {result.Serving.MakespanSeconds:F3} s, all-to-all {result.AllToAllSeconds:F3} s and {result.AllToAllBytes / 1e9:F2} GB, TPOT p50 {result.Metrics.Tpot.P50Seconds * 1e3:F2} ms"));

        // The per-token part of one full decode step, alone: routing and planning.
        int tokens = devices * perGpu;
        var batch = new RoutingBatch();
        for (int t = 0; t < tokens; t++) batch.Add(new SequenceSlice(t, 0, 1, IsPrefill: false));
        var ids = new int[model.NumMoeLayers * tokens * moe.TopK];
        var home = new int[tokens];
        for (int t = 0; t < tokens; t++) home[t] = t / perGpu;
        var net = TopologyNetwork.Create(system);
        var a2a = new AllToAll(net, null, config.AllToAll, collectives);
        long bytesPerToken = (long)(model.HiddenSize * Units.DataTypes.BytesPerElement(model.DataTypes.Activations));
        var routing = new MoeStepRouting(placement ?? ExpertPlacement.Contiguous(model.NumMoeLayers, moe.NumExperts, devices), moe.TopK, bytesPerToken, config.Dispatch, a2a);
        double route = Fastest(() => router.RouteTokens(batch, ids));
        double plan = Fastest(() => routing.Plan(ids, home, tokens));
        double dispatch = Fastest(() =>
        {
            for (int layer = 0; layer < routing.MoeLayers; layer++)
            {
                if (routing.PlansRailLegs) a2a.Start(routing.DispatchLegs(layer), null);
                else a2a.Start(routing.DispatchBytes(layer), null);
                net.Simulator.Run();
            }
        });
        Console.WriteLine(string.Create(inv,
            $"one decode step of {tokens} tokens x {model.NumMoeLayers} MoE layers x top-{moe.TopK}: routing {route * 1e3:F1} ms, planning {plan * 1e3:F1} ms, {routing.MoeLayers} dispatch all-to-alls {dispatch * 1e3:F2} ms ({a2a.Model})"));
        return 0;
    }

    // The fastest of a few runs of action, seconds (the machine may be shared).
    private static double Fastest(Action action)
    {
        double best = double.PositiveInfinity;
        var clock = new Stopwatch();
        for (int r = 0; r < PlanRepetitions; r++)
        {
            clock.Restart();
            action();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }

    // 256 experts one per GPU on GPUs 0-255 and a second copy of experts 0-63 on GPUs 256-319,
    // each copy serving half its expert's tokens (redundant experts, EPLB style).
    private static ExpertPlacement WithRedundantCopies(int layers, int experts, int devices)
    {
        int spare = devices - experts;
        var all = new IReadOnlyList<ExpertReplica>[layers][];
        for (int l = 0; l < layers; l++)
        {
            all[l] = new IReadOnlyList<ExpertReplica>[experts];
            for (int e = 0; e < experts; e++)
                all[l][e] = e < spare
                    ? new[] { new ExpertReplica(e, 0.5), new ExpertReplica(experts + e, 0.5) }
                    : new[] { new ExpertReplica(e, 1.0) };
        }
        return new ExpertPlacement(devices, all, "256+64 redundant");
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static int IntOption(string[] args, string name, int fallback) =>
        Option(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
}
