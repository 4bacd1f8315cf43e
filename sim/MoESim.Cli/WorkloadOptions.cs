using System.CommandLine;
using System.Globalization;
using MoESim.Config;
using MoESim.Serving;
using MoESim.Units;
using MoESim.Runs;

namespace MoESim.Cli;

/// <summary>
/// The options that say what is served and how it is batched (model, request trace or Poisson
/// arrivals, router, seed, batching limits), shared by <c>simulate</c> and <c>plan</c>, and their
/// checks: a bad value is an input error naming the option.
/// </summary>
internal sealed class WorkloadOptions
{
    public const string DefaultModel = "mixtral-8x7b-fp8";
    public const string DefaultRequests = "traces/requests/splitwise-conv-1000.csv";

    private readonly Option<string> _model = new("--model") { Description = "Model name (models/NAME.yaml) or YAML path", DefaultValueFactory = _ => DefaultModel };
    private readonly Option<string?> _requests = new("--requests") { Description = $"Request trace CSV (MoESim, Azure or Splitwise layout); default {DefaultRequests}" };
    private readonly Option<int?> _maxRequests = new Option<int?>("--max-requests") { Description = "Use only the first N requests of the trace" }.InRange(1);
    private readonly Option<double?> _poisson = new Option<double?>("--poisson-rate") { Description = "Generate Poisson arrivals at this rate (requests/s) instead of reading a trace" }.InRange(0, double.MaxValue, minExclusive: true);
    private readonly Option<int> _poissonCount = new Option<int>("--poisson-requests") { Description = "Number of generated requests", DefaultValueFactory = _ => 200 }.InRange(1);
    private readonly Option<int> _prompt = new Option<int>("--prompt-tokens") { Description = "Prompt length of generated requests (tokens)", DefaultValueFactory = _ => 512 }.InRange(1);
    private readonly Option<int> _output = new Option<int>("--output-tokens") { Description = "Output length of generated requests (tokens)", DefaultValueFactory = _ => 128 }.InRange(1);
    private readonly Option<string?> _weightDtype = new("--weight-dtype") { Description = $"Override the model's weight data type ({DataTypes.AcceptedNames})" };
    private readonly Option<double> _zipf = new Option<double>("--zipf") { Description = "Zipf exponent of expert popularity for the synthetic router (0 = uniform)", DefaultValueFactory = _ => 0.0 }.InRange(0, 4);
    private readonly Option<string?> _trace = new("--trace") { Description = "Expert-selection trace to replay (.jsonl, .moetrace or .csv; shape must match the model) instead of the synthetic router" };
    private readonly Option<string?> _routerParams = new("--router-params") { Description = "Synthetic router v2 parameters (params.json from `trace gen`/`trace gen --fit`: popularity, locality, affinity per phase); --seed replaces the file's seed" };
    private readonly Option<ulong> _seed = new("--seed") { Description = "Seed for every random choice", DefaultValueFactory = _ => 42UL };
    private readonly Option<int> _maxTokens = new Option<int>("--max-batch-tokens") { Description = "Token budget per forward pass", DefaultValueFactory = _ => 8192 }.InRange(1);
    private readonly Option<int> _maxSeqs = new Option<int>("--max-seqs") { Description = "Most sequences running at once", DefaultValueFactory = _ => 256 }.InRange(1);
    private readonly Option<double> _memUtil = new Option<double>("--memory-utilization") { Description = "Fraction of device memory for weights and KV cache", DefaultValueFactory = _ => 0.9 }.InRange(0, 1, minExclusive: true);

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _model, _requests, _maxRequests, _poisson, _poissonCount, _prompt, _output, _weightDtype, _zipf, _trace, _routerParams, _seed, _maxTokens, _maxSeqs, _memUtil })
            command.Add(option);
    }

    /// <summary>
    /// The simulation options the parsed values give, on the device at <paramref name="hardwarePath"/>
    /// (<paramref name="recordTimeline"/> for simulate's --timeline). Throws <see cref="InputException"/> for bad values.
    /// </summary>
    public SimulationOptions Read(ParseResult parse, string hardwarePath, bool recordTimeline = false)
    {
        var weights = ReadWeightDataType(parse);
        var rate = ReadPoissonRate(parse);
        var options = new SimulationOptions
        {
            ModelPath = InputResolver.Model(parse.GetValue(_model)!),
            HardwarePath = hardwarePath,
            RequestTracePath = rate is null ? (parse.GetValue(_requests) ?? InputResolver.Shipped(DefaultRequests)) : null,
            MaxRequests = parse.GetValue(_maxRequests),
            PoissonRatePerSecond = rate ?? 1,
            PoissonRequests = parse.GetValue(_poissonCount),
            PromptTokensMin = parse.GetValue(_prompt),
            PromptTokensMax = parse.GetValue(_prompt),
            OutputTokensMin = parse.GetValue(_output),
            OutputTokensMax = parse.GetValue(_output),
            WeightDataType = weights,
            RouterZipfExponent = parse.GetValue(_zipf),
            RoutingTracePath = parse.GetValue(_trace),
            RouterParametersPath = parse.GetValue(_routerParams),
            Seed = parse.GetValue(_seed),
            Serving = new ServingConfig
            {
                MaxBatchTokens = parse.GetValue(_maxTokens),
                MaxSequences = parse.GetValue(_maxSeqs),
                MemoryUtilization = parse.GetValue(_memUtil),
                RecordTimeline = recordTimeline,
            },
        };
        return Check(options);
    }

    /// <summary>
    /// <paramref name="scenario"/>'s options with every option the user gave explicitly replacing
    /// the scenario's value, on the device at <paramref name="hardwarePath"/>. The workload
    /// follows the flags where they choose one: <c>--poisson-rate</c> makes it Poisson (the
    /// scenario's Poisson fields kept unless given), <c>--requests</c> a trace. Any of
    /// <c>--zipf</c>, <c>--trace</c>, <c>--router-params</c> replaces the scenario's whole routing.
    /// Throws <see cref="InputException"/> for bad values.
    /// </summary>
    public SimulationOptions ReadOver(ParseResult parse, SimulationOptions scenario, string hardwarePath, bool recordTimeline)
    {
        bool Given(Option option) => ExplicitOptions.IsExplicit(parse, option);
        T Pick<T>(Option<T> option, T fallback) => Given(option) ? parse.GetValue(option)! : fallback;
        var rate = Given(_poisson) ? ReadPoissonRate(parse) : null;
        var routing = Given(_zipf) || Given(_trace) || Given(_routerParams);
        var prompt = Pick(_prompt, scenario.PromptTokensMin);
        var output = Pick(_output, scenario.OutputTokensMin);
        var options = scenario with
        {
            ModelPath = Given(_model) ? InputResolver.Model(parse.GetValue(_model)!) : scenario.ModelPath,
            HardwarePath = hardwarePath,
            RequestTracePath = rate is not null ? null : Given(_requests) ? parse.GetValue(_requests) : scenario.RequestTracePath,
            MaxRequests = Given(_maxRequests) ? parse.GetValue(_maxRequests) : scenario.MaxRequests,
            PoissonRatePerSecond = rate ?? scenario.PoissonRatePerSecond,
            PoissonRequests = Pick(_poissonCount, scenario.PoissonRequests),
            PromptTokensMin = prompt,
            PromptTokensMax = prompt,
            OutputTokensMin = output,
            OutputTokensMax = output,
            WeightDataType = Given(_weightDtype) ? ReadWeightDataType(parse) : scenario.WeightDataType,
            RouterZipfExponent = routing ? parse.GetValue(_zipf) : scenario.RouterZipfExponent,
            RoutingTracePath = routing ? parse.GetValue(_trace) : scenario.RoutingTracePath,
            RouterParametersPath = routing ? parse.GetValue(_routerParams) : scenario.RouterParametersPath,
            Seed = Pick(_seed, scenario.Seed),
            Serving = scenario.Serving with
            {
                MaxBatchTokens = Pick(_maxTokens, scenario.Serving.MaxBatchTokens),
                MaxSequences = Pick(_maxSeqs, scenario.Serving.MaxSequences),
                MemoryUtilization = Pick(_memUtil, scenario.Serving.MemoryUtilization),
                RecordTimeline = recordTimeline,
            },
        };
        return Check(options);
    }

    private DataType? ReadWeightDataType(ParseResult parse)
    {
        if (parse.GetValue(_weightDtype) is not { } dtypeText) return null;
        if (!DataTypes.TryParse(dtypeText, out var dt))
            throw new InputException(dtypeText, "--weight-dtype", $"unknown data type (expected one of {DataTypes.AcceptedNames})");
        return dt;
    }

    private double? ReadPoissonRate(ParseResult parse)
    {
        var rate = parse.GetValue(_poisson);
        if (rate is not null && rate <= 0) throw new InputException($"{rate}", "--poisson-rate", "must be greater than zero");
        return rate;
    }

    private static SimulationOptions Check(SimulationOptions options)
    {
        if (options.PoissonRequests < 1 || options.PromptTokensMin < 1 || options.OutputTokensMin < 1)
            throw new InputException("options", "--poisson-requests/--prompt-tokens/--output-tokens", "must be at least 1");
        if (options.MaxRequests is < 1)
            throw new InputException(new InputError("--max-requests", 0, 0, "", $"must be at least 1, got {options.MaxRequests}"));
        if (options.RequestTracePath is null && (options.PoissonRequests - 1) / options.PoissonRatePerSecond >= SimTime.MaxSeconds)
            throw new InputException(new InputError("--poisson-rate", 0, 0, "", string.Create(CultureInfo.InvariantCulture,
                $"{options.PoissonRequests} requests at {options.PoissonRatePerSecond:G4} requests/s arrive over about {(options.PoissonRequests - 1) / options.PoissonRatePerSecond:G4} s, past the latest simulated time, {SimTime.LimitText}; raise the rate or lower --poisson-requests")));
        if (options.RouterZipfExponent is < 0 or > 4)
            throw new InputException($"{options.RouterZipfExponent}", "--zipf", "must be between 0 and 4");
        if (options.RoutingTracePath is not null && options.RouterZipfExponent != 0)
            throw new InputException($"{options.RouterZipfExponent}", "--zipf", "applies to the synthetic router only; drop it when replaying --trace");
        if (options.RouterParametersPath is not null && (options.RoutingTracePath is not null || options.RouterZipfExponent != 0))
            throw new InputException(options.RouterParametersPath, "--router-params", "sets the whole synthetic router: drop --trace and --zipf");
        return options;
    }
}
