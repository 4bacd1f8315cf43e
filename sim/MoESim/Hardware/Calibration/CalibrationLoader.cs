using MoESim.Config;

namespace MoESim.Hardware.Calibration;

/// <summary>
/// Reads a profile's <c>calibration:</c> section:
/// <code>
/// calibration:
///   source: moesim bench on ... 2026-11-24
///   operator_families: { expert_ffn: swiglu_ffn, attention_decode: attention_decode }
///   curves:
///     gemm:
///       intensity: [{log2_x: -1, factor: 0.8}, {log2_x: 4, factor: 1.1}]
///       size: [{log2_x: -20, factor: 0.5}]
/// </code>
/// </summary>
public static class CalibrationLoader
{
    /// <summary>Largest factor a knot may carry: beyond this a fit is broken, not a fast kernel.</summary>
    public const double MaxFactor = 1000;

    internal static CalibrationSection Read(YamlMapReader map)
    {
        var source = map.RequiredString("source");
        var curves = new Dictionary<string, EfficiencyCurve>(StringComparer.Ordinal);
        var curvesMap = map.RequiredMap("curves");
        if (curvesMap is not null)
        {
            foreach (var family in curvesMap.Keys.ToList())
            {
                var curveMap = curvesMap.RequiredMap(family);
                if (curveMap is null) continue;
                curves[family] = new EfficiencyCurve
                {
                    Family = family,
                    Intensity = ReadCurve(curveMap, "intensity"),
                    Size = ReadCurve(curveMap, "size"),
                };
                curveMap.Finish();
            }
            if (curves.Count == 0) map.Error("curves", "needs at least one curve");
            curvesMap.Finish();
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
                else if (curvesMap is not null && !curves.ContainsKey(family))
                    opsMap.Error(kind, $"no curve named '{family}' under calibration.curves");
                families[kind] = family;
            }
            opsMap.Finish();
        }
        map.Finish();
        return new CalibrationSection { Source = source, Curves = curves, OperatorFamilies = families };
    }

    private static PiecewiseLogCurve ReadCurve(YamlMapReader curve, string key)
    {
        var knots = new List<CurveKnot>();
        var items = curve.MapList(key, required: true);
        foreach (var item in items)
        {
            var x = item.RequiredDouble("log2_x", positive: false, allowNegative: true);
            var factor = item.RequiredDouble("factor", max: MaxFactor);
            if (knots.Count > 0 && x <= knots[^1].Log2X)
                item.Error("log2_x", "knots must be in strictly increasing log2_x order");
            knots.Add(new CurveKnot(x, factor));
            item.Finish();
        }
        if (knots.Count == 0)
        {
            if (curve.Has(key)) curve.Error(key, "needs at least one knot");
            knots.Add(new CurveKnot(0, 1));
        }
        return new PiecewiseLogCurve { Knots = knots };
    }
}
