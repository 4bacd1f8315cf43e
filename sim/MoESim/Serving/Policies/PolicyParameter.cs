using System.Globalization;

namespace MoESim.Serving.Policies;

/// <summary>
/// One parameter a serving policy accepts: its scenario key, kind, default and allowed values.
/// The scenario loader reads and checks parameters by these descriptions, and scenarios/README.md
/// documents them.
/// </summary>
public sealed record PolicyParameter
{
    /// <summary>Key under <c>policy.parameters</c> (snake_case).</summary>
    public required string Key { get; init; }

    /// <summary>What the value is (whole number, choice, path).</summary>
    public required PolicyParameterKind Kind { get; init; }

    /// <summary>What the parameter sets, with its unit.</summary>
    public required string Description { get; init; }

    /// <summary>The value used when the key is absent, as text; null when absent means "none" (e.g. no placement file).</summary>
    public string? DefaultValue { get; init; }

    /// <summary>Allowed values of a <see cref="PolicyParameterKind.Choice"/> parameter; empty otherwise.</summary>
    public IReadOnlyList<string> Choices { get; init; } = Array.Empty<string>();

    /// <summary>Smallest allowed value of a <see cref="PolicyParameterKind.WholeNumber"/> parameter.</summary>
    public int MinimumValue { get; init; } = 1;

    /// <summary>What is wrong with <paramref name="value"/> for this parameter, or null when it is acceptable.</summary>
    public string? Check(string value) => Kind switch
    {
        PolicyParameterKind.WholeNumber => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? (n >= MinimumValue ? null : $"must be at least {MinimumValue}, got {n}")
            : $"expected a whole number, got '{value}'",
        PolicyParameterKind.Choice => Choices.Contains(value, StringComparer.Ordinal)
            ? null
            : $"unknown value '{value}' (expected one of {string.Join(", ", Choices)})",
        PolicyParameterKind.Path => value.Length > 0 ? null : "expected a file path",
        _ => $"unsupported parameter kind {Kind}",
    };
}
