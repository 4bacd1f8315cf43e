using MoESim.Cli;
using MoESim.Collectives;
using MoESim.Config;
using MoESim.IO;
using MoESim.Serving;
using MoESim.Serving.ExpertParallel;
using MoESim.Serving.Policies;
using MoESim.Tests.Config;
using MoESim.Units;
using MoESim.Runs;

namespace MoESim.Tests.Scenarios;

[TestFixture]
public sealed class ScenarioLoaderTests
{
    private TempFolder _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempFolder();

    [TearDown]
    public void TearDown() => _temp.Delete();

    private static Scenario Load(string path) => ScenarioLoader.Load(path, new ScenarioInputPaths());

    private static string Shipped(string name) => Path.Combine(RepoPaths.Root, "scenarios", name + ".yaml");

    private static IEnumerable<string> ShippedScenarios() =>
        Directory.GetFiles(Path.Combine(RepoPaths.Root, "scenarios"), "*.yaml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!;

    [TestCaseSource(nameof(ShippedScenarios))]
    public void Shipped_scenario_loads_with_a_comment_header_and_its_policy(string name)
    {
        var path = Shipped(name);
        Assert.That(File.ReadLines(path).First(), Does.StartWith("# "), "a comment header says what it models");
        var scenario = Load(path);
        Assert.That(scenario.Name, Is.EqualTo(name));
        Assert.That(scenario.Description, Is.Not.Null.And.Not.Empty);
        var policy = ServingPolicyFactory.Create(scenario.Policy);
        Assert.That(policy.RunsOnSystem ? scenario.SystemPath : scenario.HardwarePath, Is.Not.Null);
        Assert.That(policy.RunsOnSystem ? scenario.HardwarePath : scenario.SystemPath, Is.Null);
    }

    [Test]
    public void Default_scenario_gives_the_command_lines_default_options()
    {
        var scenario = Load(Shipped("default"));
        var options = scenario.ToSimulationOptions("unused.yaml");
        Assert.That(options.ModelPath, Does.EndWith(Path.Combine("models", "mixtral-8x7b-fp8.yaml")));
        Assert.That(options.HardwarePath, Does.EndWith(Path.Combine("hardware-profiles", "h100-sxm.yaml")));
        Assert.That(options.RequestTracePath, Does.EndWith("traces/requests/splitwise-conv-1000.csv"));
        Assert.That(options.MaxRequests, Is.Null);
        Assert.That((options.Seed, options.RouterZipfExponent, options.RoutingTracePath, options.RouterParametersPath), Is.EqualTo((42UL, 0.0, (string?)null, (string?)null)));
        Assert.That(options.Serving, Is.EqualTo(new ServingConfig()));
        Assert.That(scenario.Policy.Name, Is.EqualTo(SingleDevicePolicy.PolicyName));
    }

    [Test]
    public void Poisson_workload_and_expert_parallel_parameters_map_to_options_and_config()
    {
        var scenario = Load(Shipped("deepseek-v3-4node-per-expert"));
        var options = scenario.ToSimulationOptions("fallback.yaml");
        Assert.That(options.HardwarePath, Is.EqualTo("fallback.yaml"));
        Assert.That(options.RequestTracePath, Is.Null);
        Assert.That((options.PoissonRatePerSecond, options.PoissonRequests, options.PromptTokensMin, options.PromptTokensMax, options.OutputTokensMin, options.OutputTokensMax),
            Is.EqualTo((4.0, 40, 512, 512, 128, 128)));
        Assert.That(options.RouterZipfExponent, Is.EqualTo(1.0));
        Assert.That(scenario.SystemPath, Does.EndWith(Path.Combine("systems", "dgx-h100-4node.yaml")));
        var policy = (ExpertParallelPolicy)ServingPolicyFactory.Create(scenario.Policy);
        Assert.That((policy.TensorParallel, policy.AllToAll, policy.Dispatch, policy.PlacementPath),
            Is.EqualTo((1, AllToAllAlgorithm.RailForwarded, DispatchPayload.PerExpert, (string?)null)));
    }

    [Test]
    public void Every_key_is_read()
    {
        var path = _temp.Write("all.yaml", """
            name: all
            description: every key
            model: mixtral-8x7b
            weight_dtype: fp8
            hardware: h200
            workload:
              requests: traces/requests/splitwise-conv-1000.csv
              max_requests: 12
            routing:
              router_params: traces/samples/README.md
            seed: 7
            serving:
              max_batch_tokens: 4096
              max_sequences: 64
              memory_utilization: 0.8
            policy:
              name: single-device
            """);
        var s = Load(path);
        Assert.That((s.Name, s.Description, s.WeightDataType, s.Seed), Is.EqualTo(("all", "every key", (DataType?)DataType.Fp8, 7UL)));
        Assert.That(s.HardwarePath, Does.EndWith("h200.yaml"));
        Assert.That(s.Workload.MaxRequests, Is.EqualTo(12));
        Assert.That(s.Routing.RouterParametersPath, Does.EndWith(Path.Combine("samples", "README.md")));
        Assert.That(s.Serving, Is.EqualTo(new ServingConfig { MaxBatchTokens = 4096, MaxSequences = 64, MemoryUtilization = 0.8 }));
        Assert.That(s.Policy.Parameters, Is.Empty);
    }

    [Test]
    public void Extends_merges_a_child_over_a_shipped_scenario()
    {
        var path = _temp.Write("child.yaml", $"""
            extends: {Shipped("dgx-h100-ep")}
            name: child
            workload:
              max_requests: 20
            policy:
              parameters:
                dispatch: per-expert
            """);
        var s = Load(path);
        Assert.That(s.Name, Is.EqualTo("child"));
        Assert.That(s.Workload.MaxRequests, Is.EqualTo(20));
        Assert.That(s.Workload.RequestsPath, Does.EndWith("splitwise-conv-1000.csv"), "merged from the parent");
        var policy = (ExpertParallelPolicy)ServingPolicyFactory.Create(s.Policy);
        Assert.That((policy.Dispatch, policy.TensorParallel), Is.EqualTo((DispatchPayload.PerExpert, 1)));
    }

    [Test]
    public void Errors_are_reported_together_with_file_line_and_column()
    {
        var path = _temp.Write("bad.yaml", """
            name: bad
            model: mixtral-8x7b
            hardware: h100-sxm
            workload:
              requests: traces/requests/splitwise-conv-1000.csv
              poisson: {rate_per_s: 2}
            routing:
              zipf: 5
            seed: lots
            serving:
              max_batch_tokens: 128
            policy:
              name: single-device
            """);
        var ex = Assert.Throws<InputException>(() => Load(path))!;
        Assert.That(ex.Errors.Select(e => e.ToString()), Is.EquivalentTo(new[]
        {
            "bad.yaml:6:12: workload.poisson: give requests (a request trace CSV) or poisson (generated arrivals), not both",
            "bad.yaml:8:9: routing.zipf: must be at most 4, got 5",
            "bad.yaml:9:7: seed: expected a whole number from 0 to 18446744073709551615, got 'lots'",
            "bad.yaml:11:21: serving.max_batch_tokens: must be at least max_sequences (256): every running sequence decodes one token per pass; got 128",
        }.Select(e => Path.Combine(_temp.Path, e))));
    }

    [Test]
    public void Tensor_parallel_must_divide_the_systems_gpus()
    {
        var path = _temp.Write("tp.yaml", """
            name: tp
            model: mixtral-8x7b
            system: dgx-h100
            workload: {requests: traces/requests/splitwise-conv-1000.csv}
            policy:
              name: expert-parallel
              parameters:
                tensor_parallel: 3
            """);
        var ex = Assert.Throws<InputException>(() => Load(path))!;
        Assert.That(ex.Errors.Single().ToString(), Does.EndWith("tp.yaml:8:22: policy.parameters.tensor_parallel: must be at least 1 and divide the system's 8 GPUs, got 3"));
    }
}
