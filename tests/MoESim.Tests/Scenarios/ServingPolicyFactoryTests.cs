using MoESim.Collectives;
using MoESim.Config;
using MoESim.Serving;
using MoESim.Serving.ExpertParallel;
using MoESim.Serving.Policies;
using MoESim.Tests.Config;

namespace MoESim.Tests.Scenarios;

[TestFixture]
public sealed class ServingPolicyFactoryTests
{
    private static ServingPolicy Policy(string name, params (string Key, string Value)[] parameters) => new()
    {
        Name = name,
        Parameters = parameters.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
    };

    [Test]
    public void Unknown_policy_name_is_rejected_listing_the_known_ones()
    {
        var ex = Assert.Throws<InputException>(() => ServingPolicyFactory.Create(Policy("offload")))!;
        Assert.That(ex.Message, Does.Contain("unknown policy 'offload'").And.Contain("single-device, expert-parallel"));
        Assert.That(ex.Errors.Single().Field, Is.EqualTo("name"));
        Assert.That(() => ServingPolicyFactory.ParametersOf("offload"), Throws.TypeOf<InputException>());
    }

    [Test]
    public void Every_known_name_creates_its_policy_with_defaults()
    {
        Assert.That(ServingPolicyFactory.KnownNames, Is.EqualTo(new[] { "single-device", "expert-parallel", "pipeline-parallel" }));
        foreach (var name in ServingPolicyFactory.KnownNames)
            Assert.That(ServingPolicyFactory.Create(Policy(name)).Name, Is.EqualTo(name));
        Assert.That(ServingPolicyFactory.Create(Policy("single-device")), Is.EqualTo(new SingleDevicePolicy()));
        Assert.That(ServingPolicyFactory.Create(Policy("expert-parallel")), Is.EqualTo(new ExpertParallelPolicy()));
        Assert.That(ServingPolicyFactory.Create(Policy("pipeline-parallel")), Is.EqualTo(new PipelineParallelPolicy()));
        Assert.That(ServingPolicyFactory.Create(Policy("pipeline-parallel", ("micro_batches", "3"))), Is.EqualTo(new PipelineParallelPolicy { MicroBatches = 3 }));
        // The policy defaults are the command line's (and ExpertParallelConfig's) defaults.
        var config = new ExpertParallelPolicy().ToConfig(new ServingConfig());
        Assert.That(config, Is.EqualTo(new ExpertParallelConfig()));
    }

    [Test]
    public void Expert_parallel_parameters_are_parsed()
    {
        var policy = (ExpertParallelPolicy)ServingPolicyFactory.Create(Policy("expert-parallel",
            ("tensor_parallel", "2"), ("all_to_all", "direct"), ("dispatch", "per-expert"), ("placement", "out/place/placement.yaml")));
        Assert.That(policy.RunsOnSystem, Is.True);
        Assert.That((policy.TensorParallel, policy.AllToAll, policy.Dispatch, policy.PlacementPath),
            Is.EqualTo((2, AllToAllAlgorithm.Direct, DispatchPayload.PerExpert, "out/place/placement.yaml")));
        var serving = new ServingConfig { MaxBatchTokens = 4096 };
        Assert.That(policy.ToConfig(serving).Serving, Is.SameAs(serving));
    }

    [Test]
    public void Bad_parameters_are_all_reported()
    {
        var ex = Assert.Throws<InputException>(() => ServingPolicyFactory.Create(Policy("expert-parallel",
            ("tensor_parallel", "0"), ("dispatch", "banana"), ("colour", "red"))))!;
        Assert.That(ex.Errors.Select(e => e.ToString()), Is.EquivalentTo(new[]
        {
            "policy: parameters.tensor_parallel: must be at least 1, got 0",
            "policy: parameters.dispatch: unknown value 'banana' (expected one of per-device, per-expert)",
            "policy: parameters.colour: unknown parameter of policy expert-parallel (known: tensor_parallel, all_to_all, dispatch, collective_model, placement)",
        }));
        Assert.That(ServingPolicyFactory.Check(Policy("single-device", ("tensor_parallel", "2"))).Single().Problem,
            Is.EqualTo("unknown parameter: policy single-device takes no parameters"));
    }

    [Test]
    public void Scenario_readme_documents_every_policy_and_parameter()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "scenarios", "README.md"));
        foreach (var name in ServingPolicyFactory.KnownNames)
        {
            Assert.That(readme, Does.Contain($"`{name}`"), name);
            foreach (var parameter in ServingPolicyFactory.ParametersOf(name))
            {
                Assert.That(readme, Does.Contain($"`{parameter.Key}`"), $"{name}.{parameter.Key}");
                foreach (var choice in parameter.Choices)
                    Assert.That(readme, Does.Contain($"`{choice}`"), $"{name}.{parameter.Key}: {choice}");
            }
        }
    }
}
