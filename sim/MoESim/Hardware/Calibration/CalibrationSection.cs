namespace MoESim.Hardware.Calibration;

/// <summary>
/// The <c>calibration:</c> section of a measured device profile: per-family time models fitted by
/// <c>moesim bench</c> and which operator kinds each model applies to.
/// </summary>
public sealed record CalibrationSection
{
    /// <summary>Where the models came from, e.g. "moesim bench on CPUAccelerator 2026-11-24".</summary>
    public required string Source { get; init; }

    /// <summary>Time models by family name.</summary>
    public required IReadOnlyDictionary<string, FamilyTimeModel> Families { get; init; }

    /// <summary>Operator kind (see Cost.OperatorKinds) → family name of the model it uses.</summary>
    public required IReadOnlyDictionary<string, string> OperatorFamilies { get; init; }

    /// <summary>The model an operator kind uses, or null when the profile calibrates none for it.</summary>
    public FamilyTimeModel? ModelForOperator(string operatorKind) =>
        OperatorFamilies.TryGetValue(operatorKind, out var family) && Families.TryGetValue(family, out var model) ? model : null;
}
