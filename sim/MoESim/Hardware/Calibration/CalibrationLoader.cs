using MoESim.Config;

namespace MoESim.Hardware.Calibration;

/// <summary>
/// Reads a profile's <c>calibration:</c> section:
/// <code>
/// calibration:
///   source: moesim bench on ... 2026-11-24
///   operator_families: { expert_ffn: swiglu_ffn, attention_decode: attention_decode }
///   families:
///     gemm: {combine: sum, compute_efficiency: 0.8, memory_efficiency: 0.05, seconds_per_output_element: 2e-6}
///     stream: {combine: sum, memory_efficiency: 0.9}
/// </code>
/// Each family needs at least one of the two efficiencies; combine is sum or max;
/// seconds_per_output_element is optional (default 0).
/// </summary>
public static class CalibrationLoader
{
    /// <summary>Largest efficiency a family may carry: beyond this a fit is broken, not a fast kernel.</summary>
    public const double MaxFactor = 1000;

    internal static CalibrationSection Read(YamlMapReader map)
    {
        var source = map.RequiredString("source");
        var models = new Dictionary<string, FamilyTimeModel>(StringComparer.Ordinal);
        var familiesMap = map.RequiredMap("families");
        if (familiesMap is not null)
        {
            foreach (var family in familiesMap.Keys.ToList())
            {
                var entry = familiesMap.RequiredMap(family);
                if (entry is null) continue;
                var combine = entry.RequiredEnum<WorkCombine>("combine");
                var compute = entry.OptionalDouble("compute_efficiency", max: MaxFactor);
                var memory = entry.OptionalDouble("memory_efficiency", max: MaxFactor);
                if (compute is null && memory is null && !entry.Has("compute_efficiency") && !entry.Has("memory_efficiency"))
                    familiesMap.Error(family, "needs compute_efficiency, memory_efficiency or both");
                var perElement = entry.OptionalDouble("seconds_per_output_element", positive: false) ?? 0;
                models[family] = new FamilyTimeModel
                {
                    Family = family, Combine = combine, ComputeEfficiency = compute, MemoryEfficiency = memory, SecondsPerOutputElement = perElement,
                };
                entry.Finish();
            }
            if (models.Count == 0) map.Error("families", "needs at least one family");
            familiesMap.Finish();
        }
        var families = new Dictionary<string, string>(StringComparer.Ordinal);
        var opsMap = map.RequiredMap("operator_families");
        if (opsMap is not null)
        {
            foreach (var kind in opsMap.Keys.ToList())
            {
                var family = opsMap.RequiredString(kind);
                if (!Cost.OperatorKinds.IsKnown(kind))
                    opsMap.Error(kind, $"unknown operator kind (expected one of {string.Join(", ", Cost.OperatorKinds.All)})");
                else if (familiesMap is not null && !models.ContainsKey(family))
                    opsMap.Error(kind, $"no family named '{family}' under calibration.families");
                families[kind] = family;
            }
            opsMap.Finish();
        }
        map.Finish();
        return new CalibrationSection { Source = source, Families = models, OperatorFamilies = families };
    }
}
