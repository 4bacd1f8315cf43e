namespace MoESim.Serving.Policies;

/// <summary>
/// <c>single-device</c>: one device serves every request with continuous batching and chunked
/// prefill (what <c>moesim simulate</c> without <c>--system</c> runs). No parameters.
/// </summary>
public sealed record SingleDevicePolicy : IServingPolicy
{
    /// <summary>The policy's name in scenario files.</summary>
    public const string PolicyName = "single-device";

    /// <summary>The parameters this policy accepts: none.</summary>
    public static IReadOnlyList<PolicyParameter> Parameters { get; } = Array.Empty<PolicyParameter>();

    /// <inheritdoc/>
    public string Name => PolicyName;

    /// <inheritdoc/>
    public bool RunsOnSystem => false;
}
