using System.Globalization;

namespace MoESim.Serving.Policies;

/// <summary>
/// <c>pipeline-parallel</c>: every GPU of a system is a pipeline stage holding a contiguous block
/// of the model's layers, and each step's batch flows through the stages in micro-batches
/// (<see cref="Steps.PipelineParallelPlanner"/>). Parameter: <c>micro_batches</c>.
/// </summary>
public sealed record PipelineParallelPolicy : IServingPolicy
{
    /// <summary>The policy's name in scenario files.</summary>
    public const string PolicyName = "pipeline-parallel";

    /// <summary>The parameters this policy accepts.</summary>
    public static IReadOnlyList<PolicyParameter> Parameters { get; } = new[]
    {
        new PolicyParameter
        {
            Key = "micro_batches", Kind = PolicyParameterKind.WholeNumber, DefaultValue = "stages", MinimumValue = 1,
            Description = "micro-batches each step's batch is cut into (count, at most one per sequence); absent: one per stage",
        },
    };

    /// <inheritdoc/>
    public string Name => PolicyName;

    /// <inheritdoc/>
    public bool RunsOnSystem => true;

    /// <summary>Micro-batches per step, ≥ 1; null for one per stage.</summary>
    public int? MicroBatches { get; init; }

    /// <summary>The policy from checked parameter texts (see <see cref="ServingPolicyFactory.Create"/>).</summary>
    internal static PipelineParallelPolicy From(IReadOnlyDictionary<string, string> parameters) =>
        parameters.TryGetValue("micro_batches", out var m)
            ? new PipelineParallelPolicy { MicroBatches = int.Parse(m, NumberStyles.Integer, CultureInfo.InvariantCulture) }
            : new PipelineParallelPolicy();
}
