using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using MoESim.Config;
using MoESim.Models;
using MoESim.Randomness;
using MoESim.Traces;
using MoESim.Traces.Formats;
using MoESim.Traces.Statistics;
using MoESim.Traces.Synthetic;

namespace MoESim.Cli;

/// <summary>
/// <c>moesim trace gen</c>: write a synthetic expert-selection trace (router v2), from explicit
/// parameters, a parameters file, or parameters fitted to an existing trace (<c>--fit</c>).
/// </summary>
internal static class TraceGenCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Model name (models/NAME.yaml) or YAML path; gives the trace shape (optional with --fit or --params)" };
        var requests = new Option<int>("--requests") { Description = "Requests to generate (with --request-trace: use the first N; 0 = all)", DefaultValueFactory = _ => 100 }.InRange(0);
        var requestTrace = new Option<string?>("--request-trace") { Description = "Request trace CSV giving prompt/output lengths (else Poisson requests of fixed lengths)" };
        var prompt = new Option<int>("--prompt-tokens") { Description = "Prompt length of generated requests, tokens", DefaultValueFactory = _ => 512 }.InRange(1);
        var output = new Option<int>("--output-tokens") { Description = "Output length of generated requests, tokens (decode steps = this − 1)", DefaultValueFactory = _ => 128 }.InRange(1);
        var seed = new Option<ulong>("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => 42UL };
        var zipf = new Option<double?>("--zipf") { Description = "Zipf exponent of expert popularity, both phases, [0, 4] (default 0)" }.Finite();
        var locality = new Option<double?>("--locality") { Description = "Probability a token keeps the previous token's expert per slot, both phases, [0, 1) (default 0)" }.Finite();
        var affinity = new Option<double?>("--affinity") { Description = "Probability a slot follows its previous-layer expert's successor set, both phases, [0, 1] (default 0)" }.Finite();
        var pz = new Option<double?>("--prefill-zipf") { Description = "Override --zipf for prompt tokens" }.Finite();
        var pl = new Option<double?>("--prefill-locality") { Description = "Override --locality for prompt tokens" }.Finite();
        var pa = new Option<double?>("--prefill-affinity") { Description = "Override --affinity for prompt tokens" }.Finite();
        var dz = new Option<double?>("--decode-zipf") { Description = "Override --zipf for generated tokens" }.Finite();
        var dl = new Option<double?>("--decode-locality") { Description = "Override --locality for generated tokens" }.Finite();
        var da = new Option<double?>("--decode-affinity") { Description = "Override --affinity for generated tokens" }.Finite();
        var successors = new Option<int?>("--successors") { Description = "Successor-set size m per expert (cross-layer affinity), 1..experts (default 2)" }.InRange(1);
        var chunk = new Option<int?>("--chunk-tokens") { Description = "Prompt tokens per prefill step (default 512)" }.InRange(1);
        var histogram = new Option<string?>("--histogram") { Description = "CSV of popularity weights: one line per MoE layer (or one for all), one weight per expert; replaces Zipf" };
        var parameters = new Option<string?>("--params") { Description = "Generator parameters JSON (as written by --fit); options given on the command line override it" };
        var fit = new Option<string?>("--fit") { Description = "Fit the parameters to this trace (.moetrace, .jsonl, .csv) and generate with them" };
        var paramsOut = new Option<string?>("--params-out") { Description = "Where --fit writes the fitted parameters (default: OUT with extension .params.json)" }.WritableFile();
        var outFile = new Option<string>("--out") { Description = "Trace to write: .moetrace (binary) or .jsonl", Required = true }.WritableFile();
        var command = new Command("gen", "Generate a synthetic expert-selection trace (seeded; popularity, locality, affinity, prefill/decode)")
        {
            model, requests, requestTrace, prompt, output, seed, zipf, locality, affinity, pz, pl, pa, dz, dl, da, successors, chunk, histogram, parameters, fit, paramsOut, outFile,
        };
        command.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var outPath = parse.GetValue(outFile)!;
            var ext = Path.GetExtension(outPath).ToLowerInvariant();
            if (ext is not (".moetrace" or ".jsonl"))
                throw new InputException(outPath, "--out", $"unknown trace extension '{ext}' (expected {RoutingTraceFiles.WritableExtensions})");
            var seedValue = parse.GetValue(seed);
            var requestList = Requests(parse.GetValue(requests), parse.GetValue(requestTrace), parse.GetValue(prompt), parse.GetValue(output), seedValue);

            TraceGeneratorConfig config;
            var fitPath = parse.GetValue(fit);
            var paramsPath = parse.GetValue(parameters);
            if (fitPath is not null && paramsPath is not null) throw new InputException(fitPath, "--fit", "give either --fit or --params, not both");
            if (fitPath is not null)
            {
                config = Fit(fitPath, requestList, seedValue, parse.GetValue(chunk) ?? 512, parse.GetValue(successors) ?? 2);
                var written = parse.GetValue(paramsOut) ?? Path.ChangeExtension(outPath, ".params.json");
                GeneratorParametersFile.Write(written, config);
                stdout.WriteLine($"fitted parameters: {written}");
            }
            else if (paramsPath is not null) config = GeneratorParametersFile.Read(paramsPath);
            else
            {
                var shape = ModelShape(parse.GetValue(model) ?? throw new InputException("options", "--model", "required (or give --fit or --params)"));
                config = new TraceGeneratorConfig
                {
                    NumMoeLayers = shape.NumMoeLayers, NumExperts = shape.NumExperts, TopK = shape.TopK, ModelName = shape.ModelName,
                    Seed = seedValue, Prefill = new RoutingPhaseParameters(), Decode = new RoutingPhaseParameters(),
                };
            }
            if (parse.GetValue(model) is { } m && (fitPath is not null || paramsPath is not null))
            {
                var shape = ModelShape(m);
                if (!shape.Matches(config.NumMoeLayers, config.NumExperts, config.TopK))
                    throw new InputException(m, "--model", $"shape {shape.Describe()} does not match the parameters' {config.Shape.Describe()}");
                config = config with { ModelName = shape.ModelName };
            }
            config = ApplyOverrides(config, parse, zipf, locality, affinity, pz, pl, pa, dz, dl, da, successors, chunk, histogram);
            TraceGeneratorConfigValidator.Validate(config, "options");

            var watch = Stopwatch.StartNew();
            long selections;
            using (var writer = RoutingTraceFiles.CreateWriter(outPath, config.Shape))
            {
                selections = ConsoleProgress.Run("Generating", p => SyntheticTraceGenerator.Generate(config, requestList, writer, p));
                writer.Complete();
            }
            var seconds = watch.Elapsed.TotalSeconds;
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{outPath}: {config.Shape.Describe()}, {requestList.Count} requests, {selections:N0} expert selections in {seconds:F2} s ({selections / Math.Max(seconds, 1e-9) / 1e6:F1} M selections/s)"));
            return CliApp.ExitOk;
        });
        return command;
    }

    private static TraceShape ModelShape(string nameOrPath)
    {
        var path = InputResolver.Model(nameOrPath);
        var model = ModelLoader.Load(path);
        if (model.Moe is null) throw new InputException(path, "--model", $"{model.Name} is a dense model: it has no experts to route");
        return new TraceShape { NumMoeLayers = model.NumMoeLayers, NumExperts = model.Moe.NumExperts, TopK = model.Moe.TopK, ModelName = model.Name };
    }

    private static IReadOnlyList<Request> Requests(int count, string? trace, int prompt, int output, ulong seed)
    {
        if (count < 0) throw new InputException($"{count}", "--requests", "must be ≥ 0");
        if (trace is not null) return RequestTraceReader.Read(trace, count == 0 ? null : count);
        if (count < 1) throw new InputException($"{count}", "--requests", "must be at least 1 without --request-trace");
        if (prompt < 1) throw new InputException($"{prompt}", "--prompt-tokens", "must be at least 1");
        if (output < 1) throw new InputException($"{output}", "--output-tokens", "must be at least 1");
        // Arrival times do not enter a routing trace; the rate only spaces requests out.
        return PoissonRequestGenerator.Generate(count, 1.0, prompt, prompt, output, output, new SeededRandom(seed).Fork(9));
    }

    private static TraceGeneratorConfig Fit(string path, IReadOnlyList<Request> requests, ulong seed, int chunk, int successors)
    {
        TraceStatistics target;
        using (var reader = RoutingTraceFiles.OpenReader(path))
            target = ConsoleProgress.Run("Measuring", p => TraceStatisticsRunner.Run(reader, new TraceStatisticsOptions { AffinityTopM = successors }, null, p));
        // Probe traces: at most ~20,000 tokens of the requested workload keep each round fast.
        var probe = new List<Request>();
        long tokens = 0;
        foreach (var r in requests)
        {
            if (tokens > 20_000 && probe.Count > 0) break;
            probe.Add(r);
            tokens += r.PromptTokens + r.OutputTokens;
        }
        return ConsoleProgress.Run("Fitting", _ => SyntheticTraceFitter.Fit(target, probe, seed, chunk, successors));
    }

    private static TraceGeneratorConfig ApplyOverrides(TraceGeneratorConfig c, ParseResult parse,
        Option<double?> zipf, Option<double?> locality, Option<double?> affinity,
        Option<double?> pz, Option<double?> pl, Option<double?> pa, Option<double?> dz, Option<double?> dl, Option<double?> da,
        Option<int?> successors, Option<int?> chunk, Option<string?> histogram)
    {
        double[][]? h = parse.GetValue(histogram) is { } file ? HistogramFile.Read(file, c.NumMoeLayers, c.NumExperts) : null;
        RoutingPhaseParameters Apply(RoutingPhaseParameters p, Option<double?> z, Option<double?> l, Option<double?> a)
        {
            var zipfValue = parse.GetValue(z) ?? parse.GetValue(zipf);
            return p with
            {
                ZipfExponent = zipfValue ?? p.ZipfExponent,
                // An explicit Zipf exponent replaces a fitted histogram; --histogram replaces both.
                Histogram = h ?? (zipfValue is null ? p.Histogram : null),
                Locality = parse.GetValue(l) ?? parse.GetValue(locality) ?? p.Locality,
                Affinity = parse.GetValue(a) ?? parse.GetValue(affinity) ?? p.Affinity,
            };
        }
        return c with
        {
            Prefill = Apply(c.Prefill, pz, pl, pa),
            Decode = Apply(c.Decode, dz, dl, da),
            SuccessorSetSize = parse.GetValue(successors) ?? c.SuccessorSetSize,
            PrefillChunkTokens = parse.GetValue(chunk) ?? c.PrefillChunkTokens,
        };
    }
}
