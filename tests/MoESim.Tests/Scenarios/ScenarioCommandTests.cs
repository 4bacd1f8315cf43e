using System.Text.Json;
using MoESim.Tests.Cli;

namespace MoESim.Tests.Scenarios;

/// <summary><c>moesim simulate --scenario</c> run in-process: shipped scenarios, equivalence with flags, overrides, bad files.</summary>
[TestFixture]
[NonParallelizable] // changes the current directory
public sealed class ScenarioCommandTests
{
    private static IEnumerable<string> ShippedScenarios() =>
        Directory.GetFiles(Path.Combine(CliTestSupport.RepositoryRoot, "scenarios"), "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    private static JsonDocument Report(string folder) => JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json")));

    /// <summary>Runs simulate with <paramref name="args"/> into a fresh folder; returns the folder.</summary>
    private static string Simulate(params string[] args)
    {
        var outDir = CliTestSupport.TempDir();
        var (exit, _, stderr) = CliTestSupport.Run(["simulate", .. args, "--no-plots", "--out", outDir]);
        Assert.That(exit, Is.EqualTo(0), stderr);
        return outDir;
    }

    private static string WriteScenario(string text)
    {
        var path = Path.Combine(CliTestSupport.TempDir(), "scenario.yaml");
        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
        return path;
    }

    [TestCaseSource(nameof(ShippedScenarios))]
    public void Shipped_scenario_runs_and_echoes_its_file(string fileName)
    {
        var outDir = CliTestSupport.TempDir();
        var (exit, stdout, stderr) = CliTestSupport.Run("simulate", "--scenario", $"scenarios/{fileName}", "--no-plots", "--out", outDir);
        Assert.That(exit, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.StartWith($"scenario {Path.GetFileNameWithoutExtension(fileName)} (scenarios/{fileName}, policy "));
        using var report = Report(outDir);
        Assert.That(report.RootElement.GetProperty("inputs").GetProperty("scenario").GetString(), Is.EqualTo($"scenarios/{fileName}"));
        Assert.That(report.RootElement.GetProperty("metrics").GetProperty("requests").GetInt32(), Is.GreaterThan(0));
    }

    [TestCase("poisson-zipf", "--poisson-rate", "4", "--poisson-requests", "500", "--prompt-tokens", "1024", "--output-tokens", "256", "--zipf", "1.2")]
    [TestCase("mixtral-dgx-tp2", "--system", "dgx-h100", "--model", "mixtral-8x7b", "--tensor-parallel", "2", "--max-requests", "100")]
    public void Scenario_gives_the_same_report_as_the_equivalent_flags(string scenario, params string[] flags)
    {
        using var fromScenario = Report(Simulate("--scenario", scenario));
        using var fromFlags = Report(Simulate(flags));
        JsonElement Metrics(JsonDocument d) => d.RootElement.GetProperty("metrics");
        Assert.That(Metrics(fromScenario).GetProperty("tpot").GetProperty("p50_s").GetDouble(),
            Is.EqualTo(Metrics(fromFlags).GetProperty("tpot").GetProperty("p50_s").GetDouble()));
        Assert.That(Metrics(fromScenario).GetProperty("passes").GetInt64(), Is.EqualTo(Metrics(fromFlags).GetProperty("passes").GetInt64()));
        Assert.That(Metrics(fromScenario).GetRawText(), Is.EqualTo(Metrics(fromFlags).GetRawText()), "every metric");
        var scenarioInputs = fromScenario.RootElement.GetProperty("inputs").EnumerateObject().Where(p => p.Name != "scenario").Select(p => (p.Name, p.Value.GetString()));
        var flagInputs = fromFlags.RootElement.GetProperty("inputs").EnumerateObject().Select(p => (p.Name, p.Value.GetString()));
        Assert.That(scenarioInputs, Is.EqualTo(flagInputs), "the same inputs, apart from the scenario's name");
        Assert.That(fromFlags.RootElement.GetProperty("inputs").TryGetProperty("scenario", out _), Is.False, "no scenario echoed without one");
        if (fromFlags.RootElement.TryGetProperty("expert_parallel", out var ep))
            Assert.That(fromScenario.RootElement.GetProperty("expert_parallel").GetRawText(), Is.EqualTo(ep.GetRawText()));
    }

    [Test]
    public void An_explicit_flag_overrides_the_file()
    {
        using var report = Report(Simulate("--scenario", "scenarios/default.yaml", "--max-requests", "50"));
        Assert.That(report.RootElement.GetProperty("metrics").GetProperty("requests").GetInt32(), Is.EqualTo(50));
        Assert.That(report.RootElement.GetProperty("inputs").GetProperty("request_count").GetString(), Is.EqualTo("50"));
    }

    [Test]
    public void Policy_parameters_stand_unless_their_flag_is_given_explicitly()
    {
        // --dispatch has a default (per-device): only typing it may replace the file's per-expert.
        var path = WriteScenario("""
            name: qwen-ep
            model: qwen3-30b-a3b
            system: systems/dgx-h100
            workload:
              poisson: {rate_per_s: 100, requests: 4, prompt_tokens: 64, output_tokens: 4}
            routing: {zipf: 1.0}
            policy:
              name: expert-parallel
              parameters: {dispatch: per-expert}
            """);
        string Dispatch(params string[] extra)
        {
            using var report = Report(Simulate(["--scenario", path, .. extra]));
            return report.RootElement.GetProperty("inputs").GetProperty("dispatch").GetString()!;
        }
        Assert.That(Dispatch(), Is.EqualTo("PerExpert"));
        Assert.That(Dispatch("--dispatch", "per-device"), Is.EqualTo("PerDevice"));
    }

    [Test]
    public void Flags_can_change_the_platform_and_the_routing()
    {
        // --hardware on a system scenario serves on that device; a routing flag replaces the file's routing.
        using (var report = Report(Simulate("--scenario", "dgx-h100-ep", "--hardware", "h200", "--max-requests", "10")))
        {
            var inputs = report.RootElement.GetProperty("inputs");
            Assert.That(inputs.GetProperty("hardware").GetString(), Is.EqualTo("h200"));
            Assert.That(report.RootElement.TryGetProperty("expert_parallel", out _), Is.False);
        }
        using (var report = Report(Simulate("--scenario", "poisson-zipf", "--poisson-requests", "10", "--trace", "traces/samples/mixtral-8x7b.moetrace")))
        {
            var inputs = report.RootElement.GetProperty("inputs");
            Assert.That(inputs.GetProperty("routing_trace").GetString(), Is.EqualTo("traces/samples/mixtral-8x7b.moetrace"));
            Assert.That(inputs.GetProperty("request_count").GetString(), Is.EqualTo("10"));
            Assert.That(inputs.GetProperty("requests").GetString(), Does.StartWith("poisson rate 4/s, prompt 1024-1024"), "the file's Poisson fields stay");
        }
    }

    private static void AssertBadScenario(string text, params string[] expected)
    {
        var path = WriteScenario(text);
        var (exit, _, stderr) = CliTestSupport.Run("simulate", "--scenario", path, "--no-plots", "--out", CliTestSupport.TempDir());
        Assert.That(exit, Is.EqualTo(2), stderr);
        foreach (var line in expected)
            Assert.That(stderr, Does.Contain($"{path}:{line}"));
        Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
    }

    private const string Valid = """
        name: t
        model: mixtral-8x7b-fp8
        system: dgx-h100
        workload:
          poisson:
            rate_per_s: 4
            requests: 10
        policy:
          name: expert-parallel
          parameters:
            dispatch: per-device
        """;

    [Test]
    public void Unknown_key_is_an_error_at_its_line() =>
        AssertBadScenario(Valid.Replace("workload:", "colour: blue\nworkload:"), "4:1: colour: unknown field");

    [Test]
    public void Bad_enum_value_names_the_allowed_ones() =>
        AssertBadScenario(Valid.Replace("dispatch: per-device", "dispatch: banana"),
            "11:15: policy.parameters.dispatch: unknown value 'banana' (expected one of per-device, per-expert)");

    [Test]
    public void Negative_rate_is_rejected() =>
        AssertBadScenario(Valid.Replace("rate_per_s: 4", "rate_per_s: -4"), "6:17: workload.poisson.rate_per_s: must be greater than zero, got -4");

    [Test]
    public void Missing_model_is_reported_with_other_errors() =>
        AssertBadScenario(Valid.Replace("model: mixtral-8x7b-fp8\n", "").Replace("requests: 10", "requests: ten"),
            "1:1: model: required field is missing", "6:15: workload.poisson.requests: expected a whole number, got 'ten'");

    [Test]
    public void Unknown_policy_lists_the_known_ones() =>
        AssertBadScenario(Valid.Replace("name: expert-parallel", "name: offload"),
            "9:9: policy.name: unknown policy 'offload' (known: single-device, expert-parallel, pipeline-parallel)");

    [Test]
    public void Policy_and_platform_must_match() =>
        AssertBadScenario(Valid.Replace("system: dgx-h100", "hardware: h100-sxm"),
            "3:11: hardware: policy expert-parallel serves on a multi-GPU system: give system (e.g. systems/dgx-h100) instead of hardware");

    [Test]
    public void Unresolvable_names_and_paths_point_at_their_key() =>
        AssertBadScenario(Valid.Replace("system: dgx-h100", "system: dgx-a100").Replace("  poisson:\n    rate_per_s: 4\n    requests: 10", "  requests: traces/requests/none.csv"),
            "3:9: system: no such file, and no shipped hardware-profiles/systems entry of that name", "5:13: workload.requests: file not found");
}
