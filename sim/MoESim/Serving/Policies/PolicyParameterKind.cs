namespace MoESim.Serving.Policies;

/// <summary>What a policy parameter's value is.</summary>
public enum PolicyParameterKind
{
    /// <summary>A whole number at least <see cref="PolicyParameter.MinimumValue"/>.</summary>
    WholeNumber,

    /// <summary>One of <see cref="PolicyParameter.Choices"/>.</summary>
    Choice,

    /// <summary>A file path (a scenario resolves it like the command line's paths).</summary>
    Path,
}
