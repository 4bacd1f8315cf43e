using System.Globalization;
using MoESim.Config;
using MoESim.Hardware.Topology;
using MoESim.Serving;
using MoESim.Serving.Policies;
using MoESim.Runs;

namespace MoESim.IO;

/// <summary>
/// Loads a scenario YAML (scenarios/*.yaml, keys documented in scenarios/README.md) into a
/// <see cref="Scenario"/>. Every key is checked: an unknown key, a wrong type, a missing
/// required key, an impossible value, a name or path that resolves to no file, a policy
/// parameter its policy does not accept are all reported together as
/// <c>file:line:col: field: problem</c> in one <see cref="InputException"/>.
/// Names and paths resolve through an <see cref="IInputPathResolver"/> (the command line's rules).
/// </summary>
public static class ScenarioLoader
{
    /// <summary>Loads and checks the scenario at <paramref name="path"/>; throws <see cref="InputException"/> listing every error.</summary>
    public static Scenario Load(string path, IInputPathResolver paths)
    {
        var loader = new YamlDocumentLoader();
        var root = loader.LoadMapping(path);
        var errors = new InputErrorList();
        var map = new YamlMapReader(root, loader, YamlDocumentLoader.DisplayPath(path), "", errors);

        var name = map.RequiredString("name");
        var description = map.OptionalString("description");
        var model = Resolve(map, "model", required: true, paths.Model);
        var weights = map.OptionalDataType("weight_dtype");
        var hardware = Resolve(map, "hardware", required: false, paths.Hardware);
        var system = Resolve(map, "system", required: false, paths.System);
        var workloadMap = map.RequiredMap("workload");
        var workload = workloadMap is null ? new ScenarioWorkload() : ReadWorkload(workloadMap, paths);
        var routingMap = map.OptionalMap("routing");
        var routing = routingMap is null ? new ScenarioRouting() : ReadRouting(routingMap, paths);
        var seed = ReadSeed(map);
        var servingMap = map.OptionalMap("serving");
        var serving = servingMap is null ? new ServingConfig() : ReadServing(servingMap);
        var policyMap = map.RequiredMap("policy");
        var (policy, typed, parametersMap) = policyMap is null ? (null, null, null) : ReadPolicy(policyMap, paths);
        CheckPlatform(map, typed);
        map.Finish();
        errors.ThrowIfAny();

        var scenario = new Scenario
        {
            Name = name,
            Description = description,
            ModelPath = model!,
            WeightDataType = weights,
            HardwarePath = hardware,
            SystemPath = system,
            Workload = workload,
            Routing = routing,
            Seed = seed,
            Serving = serving,
            Policy = policy!,
        };
        if (typed is ExpertParallelPolicy ep && system is not null)
            CheckTensorParallel(ep, system, parametersMap, policyMap!);
        errors.ThrowIfAny();
        return scenario;
    }

    /// <summary>Reads a name or path at <paramref name="key"/> and resolves it; a failed resolution is an error at the key.</summary>
    private static string? Resolve(YamlMapReader map, string key, bool required, Func<string, string> resolve)
    {
        var text = required ? map.RequiredString(key) : map.OptionalString(key);
        if (string.IsNullOrEmpty(text)) return null;
        try
        {
            return resolve(text);
        }
        catch (InputException ex)
        {
            map.Error(key, string.Join("; ", ex.Errors.Select(e => e.Problem)));
            return null;
        }
    }

    private static ScenarioWorkload ReadWorkload(YamlMapReader map, IInputPathResolver paths)
    {
        var requests = Resolve(map, "requests", required: false, paths.File);
        var maxRequests = map.OptionalInt("max_requests", min: 1);
        var poissonMap = map.OptionalMap("poisson");
        PoissonArrivals? poisson = null;
        if (poissonMap is not null)
        {
            var rate = poissonMap.RequiredDouble("rate_per_s", positive: true);
            var defaults = new PoissonArrivals { RatePerSecond = rate };
            poisson = defaults with
            {
                Requests = poissonMap.OptionalInt("requests", min: 1) ?? defaults.Requests,
                PromptTokens = poissonMap.OptionalInt("prompt_tokens", min: 1) ?? defaults.PromptTokens,
                OutputTokens = poissonMap.OptionalInt("output_tokens", min: 1) ?? defaults.OutputTokens,
            };
            // Arrivals must fit the simulated clock (see SimTime.MaxSeconds); the mean span is checked here.
            if ((poisson.Requests - 1) / poisson.RatePerSecond >= Units.SimTime.MaxSeconds)
                poissonMap.Error("rate_per_s", string.Create(CultureInfo.InvariantCulture,
                    $"{poisson.Requests} requests at {poisson.RatePerSecond:G4} requests/s arrive over about {(poisson.Requests - 1) / poisson.RatePerSecond:G4} s, past the latest simulated time, {Units.SimTime.LimitText}"));
            poissonMap.Finish();
        }
        if (map.Has("requests") && map.Has("poisson"))
            map.Error("poisson", "give requests (a request trace CSV) or poisson (generated arrivals), not both");
        else if (!map.Has("requests") && !map.Has("poisson"))
            map.Error("requests", "required field is missing (give requests: a request trace CSV, or poisson: generated arrivals)");
        if (map.Has("max_requests") && !map.Has("requests"))
            map.Error("max_requests", "cuts a request trace CSV (requests:); with poisson set poisson.requests instead");
        map.Finish();
        return new ScenarioWorkload { RequestsPath = requests, MaxRequests = maxRequests, Poisson = poisson };
    }

    private static ScenarioRouting ReadRouting(YamlMapReader map, IInputPathResolver paths)
    {
        var zipf = map.OptionalDouble("zipf", positive: false, max: 4);
        var trace = Resolve(map, "trace", required: false, paths.File);
        var parameters = Resolve(map, "router_params", required: false, paths.File);
        var given = new[] { "zipf", "trace", "router_params" }.Where(map.Has).ToList();
        if (given.Count > 1)
            map.Error(given[1], $"give one of zipf (synthetic Zipf router), trace (replay) or router_params (synthetic router v2); found {string.Join(" and ", given)}");
        map.Finish();
        return new ScenarioRouting { ZipfExponent = zipf ?? 0, TracePath = trace, RouterParametersPath = parameters };
    }

    private static ulong ReadSeed(YamlMapReader map)
    {
        var text = map.OptionalString("seed");
        if (text is null) return Scenario.DefaultSeed;
        if (ulong.TryParse(text.Replace("_", ""), NumberStyles.None, CultureInfo.InvariantCulture, out var seed)) return seed;
        map.Error("seed", $"expected a whole number from 0 to {ulong.MaxValue}, got '{text}'");
        return 0;
    }

    private static ServingConfig ReadServing(YamlMapReader map)
    {
        var before = map.Errors.Count;
        var defaults = new ServingConfig();
        var serving = defaults with
        {
            MaxBatchTokens = map.OptionalInt("max_batch_tokens", min: 1) ?? defaults.MaxBatchTokens,
            MaxSequences = map.OptionalInt("max_sequences", min: 1) ?? defaults.MaxSequences,
            MemoryUtilization = map.OptionalDouble("memory_utilization", positive: true, max: 1) ?? defaults.MemoryUtilization,
        };
        map.Finish();
        // Limits that are fine alone but not together (a pass must fit every running sequence).
        if (map.Errors.Count == before)
        {
            foreach (var (field, problem) in serving.Validate())
                map.Error(field, problem);
        }
        return serving;
    }

    private static (ServingPolicy? Policy, IServingPolicy? Typed, YamlMapReader? Parameters) ReadPolicy(YamlMapReader map, IInputPathResolver paths)
    {
        var name = map.RequiredString("name");
        var parametersMap = map.OptionalMap("parameters");
        map.Finish();
        if (name.Length == 0) return (null, null, parametersMap);
        if (!ServingPolicyFactory.IsKnown(name))
        {
            map.Error("name", ServingPolicyFactory.UnknownNameProblem(name));
            return (null, null, parametersMap);
        }
        var accepted = ServingPolicyFactory.ParametersOf(name);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (parametersMap is not null)
        {
            foreach (var key in parametersMap.Keys.ToList())
            {
                var parameter = accepted.FirstOrDefault(p => p.Key == key);
                if (parameter is null) continue; // left unread: Finish reports it, the factory's check names the known keys
                var text = parameter.Kind == PolicyParameterKind.Path
                    ? Resolve(parametersMap, key, required: false, paths.File)
                    : parametersMap.OptionalString(key);
                if (text is null) continue;
                if (parameter.Check(text) is { } problem) parametersMap.Error(key, problem);
                else values[key] = text;
            }
            // Keys the policy does not take: the factory's check words the problem (with the known keys).
            var unknownKeys = parametersMap.Keys.Where(k => accepted.All(p => p.Key != k)).ToArray();
            var unknown = ServingPolicyFactory.Check(new ServingPolicy
            {
                Name = name,
                Parameters = unknownKeys.ToDictionary(k => k, _ => "", StringComparer.Ordinal),
            });
            foreach (var (key, problem) in unknown)
                parametersMap.Error(key, problem);
            parametersMap.Finish(unknownKeys);
        }
        // Only accepted, well-formed values were kept, so the factory accepts them; with errors
        // elsewhere the typed policy still says which platform (hardware or system) it needs.
        var policy = new ServingPolicy { Name = name, Parameters = values };
        return (policy, ServingPolicyFactory.Create(policy), parametersMap);
    }

    /// <summary>Exactly one of hardware and system, the one the policy serves on.</summary>
    private static void CheckPlatform(YamlMapReader map, IServingPolicy? policy)
    {
        bool hasHardware = map.Has("hardware"), hasSystem = map.Has("system");
        if (hasHardware && hasSystem)
        {
            map.Error("system", "give hardware (one device) or system (a multi-GPU system profile), not both");
            return;
        }
        if (policy is null)
        {
            if (!hasHardware && !hasSystem)
                map.Error("hardware", "required field is missing (give hardware: a device profile, or system: a multi-GPU system profile)");
            return;
        }
        if (policy.RunsOnSystem && !hasSystem)
            map.Error(hasHardware ? "hardware" : "system", hasHardware
                ? $"policy {policy.Name} serves on a multi-GPU system: give system (e.g. systems/dgx-h100) instead of hardware"
                : $"required field is missing (policy {policy.Name} serves on a multi-GPU system profile, e.g. systems/dgx-h100)");
        else if (!policy.RunsOnSystem && !hasHardware)
            map.Error(hasSystem ? "system" : "hardware", hasSystem
                ? $"policy {policy.Name} serves on one device: give hardware (e.g. h100-sxm) instead of system, or use policy {ExpertParallelPolicy.PolicyName}"
                : $"required field is missing (policy {policy.Name} serves on one device profile, e.g. h100-sxm)");
    }

    /// <summary>The tensor-parallel group size must divide the system's GPU count (checked here to point at the key).</summary>
    private static void CheckTensorParallel(ExpertParallelPolicy policy, string systemPath, YamlMapReader? parameters, YamlMapReader policyMap)
    {
        var devices = SystemProfileLoader.Load(systemPath).DeviceCount;
        foreach (var (field, problem) in policy.ToConfig(new ServingConfig()).Validate(devices))
        {
            if (field != "tensor_parallel") continue;
            if (parameters is not null) parameters.Error(field, problem);
            else policyMap.Error("parameters", $"{field}: {problem}");
        }
    }
}
