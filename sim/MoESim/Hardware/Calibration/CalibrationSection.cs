namespace MoESim.Hardware.Calibration;

/// <summary>
/// The <c>calibration:</c> section of a measured device profile: efficiency curves fitted by
/// <c>moesim bench</c> and which operator kinds each curve applies to.
/// </summary>
public sealed record CalibrationSection
{
    /// <summary>Where the curves came from, e.g. "moesim bench on CPUAccelerator 2026-11-24".</summary>
    public required string Source { get; init; }

    /// <summary>Curves by family name.</summary>
    public required IReadOnlyDictionary<string, EfficiencyCurve> Curves { get; init; }

    /// <summary>Operator kind (see Cost.OperatorKinds) → family name of the curve it uses.</summary>
    public required IReadOnlyDictionary<string, string> OperatorFamilies { get; init; }

    /// <summary>The curve an operator kind uses, or null when the profile calibrates none for it.</summary>
    public EfficiencyCurve? CurveForOperator(string operatorKind) =>
        OperatorFamilies.TryGetValue(operatorKind, out var family) && Curves.TryGetValue(family, out var curve) ? curve : null;
}
