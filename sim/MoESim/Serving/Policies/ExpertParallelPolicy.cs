using System.Globalization;
using MoESim.Collectives;
using MoESim.Serving.ExpertParallel;

namespace MoESim.Serving.Policies;

/// <summary>
/// <c>expert-parallel</c>: a multi-GPU system serves with attention data-parallel over groups of
/// <see cref="TensorParallel"/> GPUs and routed experts expert-parallel over every GPU (what
/// <c>moesim simulate --system</c> runs). Parameters: <c>tensor_parallel</c>, <c>all_to_all</c>,
/// <c>dispatch</c>, <c>collective_model</c>, <c>placement</c>.
/// </summary>
public sealed record ExpertParallelPolicy : IServingPolicy
{
    /// <summary>The policy's name in scenario files.</summary>
    public const string PolicyName = "expert-parallel";

    /// <summary>Scenario text of <see cref="AllToAllAlgorithm.RailForwarded"/>.</summary>
    public const string Rail = "rail";
    /// <summary>Scenario text of <see cref="AllToAllAlgorithm.Direct"/>.</summary>
    public const string Direct = "direct";
    /// <summary>Scenario text of <see cref="DispatchPayload.PerDevice"/>.</summary>
    public const string PerDevice = "per-device";
    /// <summary>Scenario text of <see cref="DispatchPayload.PerExpert"/>.</summary>
    public const string PerExpert = "per-expert";
    /// <summary>Scenario text of the collective model chosen by system size (flows up to 32 GPUs, aggregated above).</summary>
    public const string AutoModel = "auto";
    /// <summary>Scenario text of <see cref="CollectiveModel.Flows"/>.</summary>
    public const string FlowsModel = "flows";
    /// <summary>Scenario text of <see cref="CollectiveModel.Aggregated"/>.</summary>
    public const string AggregatedModel = "aggregated";

    /// <summary>The parameters this policy accepts, in documentation order.</summary>
    public static IReadOnlyList<PolicyParameter> Parameters { get; } = new[]
    {
        new PolicyParameter
        {
            Key = "tensor_parallel", Kind = PolicyParameterKind.WholeNumber, DefaultValue = "1", MinimumValue = 1,
            Description = "GPUs per attention tensor-parallel group (count); must divide the system's GPU count",
        },
        new PolicyParameter
        {
            Key = "all_to_all", Kind = PolicyParameterKind.Choice, DefaultValue = Rail, Choices = new[] { Rail, Direct },
            Description = "how dispatch/combine cross machines: rail (to the same-index GPU there, then NVLink; DeepEP normal kernels) or direct (one flow per GPU pair)",
        },
        new PolicyParameter
        {
            Key = "dispatch", Kind = PolicyParameterKind.Choice, DefaultValue = PerDevice, Choices = new[] { PerDevice, PerExpert },
            Description = "what a token sends: per-device (one copy per receiving GPU and machine; DeepEP normal kernels) or per-expert (one per chosen expert; Megatron, DeepEP low-latency)",
        },
        new PolicyParameter
        {
            Key = "collective_model", Kind = PolicyParameterKind.Choice, DefaultValue = AutoModel, Choices = new[] { AutoModel, FlowsModel, AggregatedModel },
            Description = "how collectives are timed: flows (max-min fair flows per transfer), aggregated (per-link loads, one event per collective) or auto (flows up to 32 GPUs, aggregated above)",
        },
        new PolicyParameter
        {
            Key = "placement", Kind = PolicyParameterKind.Path,
            Description = "expert placement YAML (as written by moesim place); absent: contiguous blocks of experts per GPU",
        },
    };

    /// <inheritdoc/>
    public string Name => PolicyName;

    /// <inheritdoc/>
    public bool RunsOnSystem => true;

    /// <summary>GPUs per attention tensor-parallel group, ≥ 1, dividing the system's GPU count.</summary>
    public int TensorParallel { get; init; } = 1;

    /// <summary>How dispatch and combine cross machines.</summary>
    public AllToAllAlgorithm AllToAll { get; init; } = AllToAllAlgorithm.RailForwarded;

    /// <summary>What a token sends in the dispatch: one copy per receiving GPU, or one per chosen expert.</summary>
    public DispatchPayload Dispatch { get; init; } = DispatchPayload.PerDevice;

    /// <summary>How collectives are timed; null chooses by system size (flows up to 32 GPUs, aggregated above).</summary>
    public CollectiveModel? CollectiveModel { get; init; }

    /// <summary>Expert placement YAML path; null for contiguous blocks.</summary>
    public string? PlacementPath { get; init; }

    /// <summary>The expert-parallel configuration this policy gives with the batching limits <paramref name="serving"/> (per data-parallel group).</summary>
    public ExpertParallelConfig ToConfig(ServingConfig serving) => new()
    {
        TensorParallel = TensorParallel,
        AllToAll = AllToAll,
        Dispatch = Dispatch,
        CollectiveModel = CollectiveModel,
        Serving = serving,
    };

    /// <summary>The collective model named <paramref name="text"/>: (true, null) for auto, (true, model) for flows or aggregated, (false, null) for another text.</summary>
    public static (bool Known, CollectiveModel? Model) CollectiveModelFromName(string text) => text switch
    {
        AutoModel => (true, null),
        FlowsModel => (true, Collectives.CollectiveModel.Flows),
        AggregatedModel => (true, Collectives.CollectiveModel.Aggregated),
        _ => (false, null),
    };

    /// <summary>The all-to-all algorithm named <paramref name="text"/> (rail or direct); null for another text.</summary>
    public static AllToAllAlgorithm? AllToAllFromName(string text) => text switch
    {
        Rail => AllToAllAlgorithm.RailForwarded,
        Direct => AllToAllAlgorithm.Direct,
        _ => null,
    };

    /// <summary>The dispatch payload named <paramref name="text"/> (per-device or per-expert); null for another text.</summary>
    public static DispatchPayload? DispatchFromName(string text) => text switch
    {
        PerDevice => DispatchPayload.PerDevice,
        PerExpert => DispatchPayload.PerExpert,
        _ => null,
    };

    /// <summary>The policy from checked parameter texts (see <see cref="ServingPolicyFactory.Create"/>).</summary>
    internal static ExpertParallelPolicy From(IReadOnlyDictionary<string, string> parameters)
    {
        var policy = new ExpertParallelPolicy();
        if (parameters.TryGetValue("tensor_parallel", out var tp))
            policy = policy with { TensorParallel = int.Parse(tp, NumberStyles.Integer, CultureInfo.InvariantCulture) };
        if (parameters.TryGetValue("all_to_all", out var a2a))
            policy = policy with { AllToAll = AllToAllFromName(a2a)!.Value };
        if (parameters.TryGetValue("dispatch", out var dispatch))
            policy = policy with { Dispatch = DispatchFromName(dispatch)!.Value };
        if (parameters.TryGetValue("collective_model", out var model))
            policy = policy with { CollectiveModel = CollectiveModelFromName(model).Model };
        if (parameters.TryGetValue("placement", out var placement))
            policy = policy with { PlacementPath = placement };
        return policy;
    }
}
