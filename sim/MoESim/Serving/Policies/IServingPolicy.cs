namespace MoESim.Serving.Policies;

/// <summary>
/// A typed serving policy: how a run serves the model on its hardware. Made only by
/// <see cref="ServingPolicyFactory.Create"/>; callers switch on the concrete record type.
/// </summary>
public interface IServingPolicy
{
    /// <summary>The policy's name as a scenario writes it.</summary>
    string Name { get; }

    /// <summary>True when the policy serves on a multi-GPU system profile (scenario key <c>system</c>); false for one device (<c>hardware</c>).</summary>
    bool RunsOnSystem { get; }
}
