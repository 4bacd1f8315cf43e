namespace MoESim.Serving.Policies;

/// <summary>
/// A serving policy as a scenario names it: the policy's name and its parameters as written
/// (text, invariant culture; paths already resolved by the loader). <see cref="ServingPolicyFactory"/>
/// turns it into the typed policy (<see cref="IServingPolicy"/>) that a run uses.
/// </summary>
public sealed record ServingPolicy
{
    /// <summary>The policy's name, one of <see cref="ServingPolicyFactory.KnownNames"/> (e.g. <c>expert-parallel</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Parameter name (snake_case, as in the scenario file) to value text; a missing key takes the policy's default.</summary>
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }
}
