using System.CommandLine;
using MoESim.Collectives;
using MoESim.Config;
using MoESim.IO;
using MoESim.Serving.ExpertParallel;
using MoESim.Serving.Policies;
using MoESim.Runs;

namespace MoESim.Cli;

/// <summary>
/// The options of <c>moesim simulate</c> and how they combine with <c>--scenario</c>: without a
/// scenario, <c>--system</c> picks the expert-parallel policy and its absence the single-device
/// one; with a scenario, its values stand unless an option was given explicitly.
/// </summary>
internal sealed class SimulateOptions
{
    private readonly WorkloadOptions _workload = new();
    private readonly Option<string?> _scenario = new("--scenario") { Description = "Scenario YAML (scenarios/NAME.yaml, a name such as default, or a path; keys in scenarios/README.md): workload, model, hardware or system and serving policy. Options given explicitly override the file" };
    private readonly Option<string> _hardware = new("--hardware") { Description = "Device profile name (hardware-profiles/NAME.yaml) or YAML path", DefaultValueFactory = _ => SimulateCommand.DefaultHardware };
    private readonly Option<string> _outDir = new Option<string>("--out") { Description = "Output folder for report.json, CSV tables and plots", DefaultValueFactory = _ => SimulateCommand.DefaultOut }.WritableFolder();
    private readonly Option<bool> _timeline = new("--timeline") { Description = "Also write timeline.json (Chrome trace events; open in Perfetto)" };
    private readonly Option<bool> _noPlots = new("--no-plots") { Description = "Skip PNG/SVG plots" };
    private readonly Option<string?> _system = new("--system") { Description = "Multi-GPU system profile (e.g. systems/dgx-h100): expert-parallel serving instead of one device; --hardware is then unused" };
    private readonly Option<int> _tensorParallel = new Option<int>("--tensor-parallel") { Description = "With --system: GPUs per attention tensor-parallel group", DefaultValueFactory = _ => 1 }.InRange(1);
    private readonly Option<string?> _placement = new("--placement") { Description = "With --system: expert placement YAML (as written by moesim place); default contiguous blocks" };
    private readonly Option<string> _allToAll = new("--all-to-all") { Description = "With --system: how dispatch/combine cross machines: rail (to the same-index GPU there, then NVLink; DeepEP normal kernels) or direct (one flow per GPU pair)", DefaultValueFactory = _ => ExpertParallelPolicy.Rail };
    private readonly Option<string> _collectiveModel = new("--collective-model") { Description = "With --system: how collectives are timed: flows (max-min fair flows per transfer), aggregated (per-link loads, one event per collective) or auto (flows up to 32 GPUs, aggregated above)", DefaultValueFactory = _ => ExpertParallelPolicy.AutoModel };
    private readonly Option<string> _dispatch = new("--dispatch") { Description = "With --system: what a token sends: per-device (one copy per receiving GPU and machine; DeepEP normal kernels) or per-expert (one per chosen expert; Megatron, DeepEP low-latency)", DefaultValueFactory = _ => ExpertParallelPolicy.PerDevice };

    /// <summary>Adds every option to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Add(_scenario);
        _workload.AddTo(command);
        foreach (var option in new Option[] { _hardware, _outDir, _timeline, _noPlots, _system, _tensorParallel, _placement, _allToAll, _dispatch, _collectiveModel })
            command.Add(option);
    }

    /// <summary>The output folder.</summary>
    public string OutDir(ParseResult parse) => parse.GetValue(_outDir)!;

    /// <summary>Whether to draw plots.</summary>
    public bool Plots(ParseResult parse) => !parse.GetValue(_noPlots);

    /// <summary>What to run; throws <see cref="InputException"/> for bad values or a bad scenario file.</summary>
    public SimulateSetup Read(ParseResult parse)
    {
        var timeline = parse.GetValue(_timeline);
        if (parse.GetValue(_scenario) is not { } scenarioName)
            return FromFlags(parse, timeline);
        var file = InputResolver.Scenario(scenarioName);
        return FromScenario(parse, file, ScenarioLoader.Load(file, new ScenarioInputPaths()), timeline);
    }

    private SimulateSetup FromFlags(ParseResult parse, bool timeline)
    {
        var options = _workload.Read(parse, InputResolver.Hardware(parse.GetValue(_hardware)!), timeline);
        var placementFile = parse.GetValue(_placement);
        if (parse.GetValue(_system) is not { } systemName)
        {
            RejectPlacement(placementFile);
            return new SimulateSetup { Options = options, Policy = new SingleDevicePolicy() };
        }
        return new SimulateSetup
        {
            Options = options,
            SystemPath = InputResolver.System(systemName),
            Policy = new ExpertParallelPolicy
            {
                TensorParallel = parse.GetValue(_tensorParallel),
                AllToAll = ParseAllToAll(parse.GetValue(_allToAll)!),
                Dispatch = ParseDispatch(parse.GetValue(_dispatch)!),
                CollectiveModel = ParseCollectiveModel(parse.GetValue(_collectiveModel)!),
                PlacementPath = placementFile,
            },
        };
    }

    private SimulateSetup FromScenario(ParseResult parse, string file, Scenario scenario, bool timeline)
    {
        bool Given(Option option) => ExplicitOptions.IsExplicit(parse, option);
        var policy = ServingPolicyFactory.Create(scenario.Policy);
        // --system or --hardware given explicitly choose the platform as they do without a scenario
        // (--system wins; --hardware alone on a system scenario serves on that one device).
        var systemPath = Given(_system) ? InputResolver.System(parse.GetValue(_system)!) : Given(_hardware) ? null : scenario.SystemPath;
        var hardwarePath = Given(_hardware) ? InputResolver.Hardware(parse.GetValue(_hardware)!)
            : scenario.HardwarePath ?? InputResolver.Hardware(SimulateCommand.DefaultHardware);
        var options = _workload.ReadOver(parse, scenario.ToSimulationOptions(hardwarePath), hardwarePath, timeline);
        ExpertParallelPolicy WithFlags(ExpertParallelPolicy ep) => ep with
        {
            TensorParallel = Given(_tensorParallel) ? parse.GetValue(_tensorParallel) : ep.TensorParallel,
            AllToAll = Given(_allToAll) ? ParseAllToAll(parse.GetValue(_allToAll)!) : ep.AllToAll,
            Dispatch = Given(_dispatch) ? ParseDispatch(parse.GetValue(_dispatch)!) : ep.Dispatch,
            CollectiveModel = Given(_collectiveModel) ? ParseCollectiveModel(parse.GetValue(_collectiveModel)!) : ep.CollectiveModel,
            PlacementPath = Given(_placement) ? parse.GetValue(_placement) : ep.PlacementPath,
        };
        IServingPolicy chosen = (policy, systemPath) switch
        {
            (ExpertParallelPolicy ep, not null) => WithFlags(ep),
            ({ RunsOnSystem: false }, not null) => WithFlags(new ExpertParallelPolicy()),
            ({ RunsOnSystem: true }, null) => new SingleDevicePolicy(),
            _ => policy,
        };
        if (systemPath is null) RejectPlacement(parse.GetValue(_placement));
        return new SimulateSetup { Options = options, Policy = chosen, SystemPath = systemPath, ScenarioFile = file, Scenario = scenario };
    }

    private static void RejectPlacement(string? placementFile)
    {
        if (placementFile is not null)
            throw new InputException(placementFile, "--placement", "places experts on a multi-GPU system: add --system");
    }

    private static AllToAllAlgorithm ParseAllToAll(string text) =>
        ExpertParallelPolicy.AllToAllFromName(text) ?? throw new InputException(text, "--all-to-all", "expected rail or direct");

    private static CollectiveModel? ParseCollectiveModel(string text) =>
        ExpertParallelPolicy.CollectiveModelFromName(text) is (true, var model) ? model
            : throw new InputException(text, "--collective-model", "expected flows, aggregated or auto");

    private static DispatchPayload ParseDispatch(string text) =>
        ExpertParallelPolicy.DispatchFromName(text) ?? throw new InputException(text, "--dispatch", "expected per-device or per-expert");
}
