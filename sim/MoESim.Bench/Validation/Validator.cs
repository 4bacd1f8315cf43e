using MoESim.Bench.Calibration;
using MoESim.Bench.Suite;
using MoESim.Cost;
using MoESim.Hardware;

namespace MoESim.Bench.Validation;

/// <summary>
/// Predicts every measured case from a measured profile alone, through the simulator's
/// <see cref="CalibratedTimeModel"/>: single kernels with their family's curve, composites
/// stage by stage (dispatch and combine with the gather/scatter curve, the grouped FFN as the
/// simulator's expert_ffn operator, i.e. the SwiGLU curve at the layer's total work).
/// </summary>
public static class Validator
{
    /// <summary>Rows for every measurement whose families the profile calibrates; the others are returned in <paramref name="unpredictable"/>.</summary>
    public static IReadOnlyList<ValidationRow> Predict(DeviceProfile profile, IReadOnlyList<Measurement> measurements, out IReadOnlyList<string> unpredictable)
    {
        var model = new CalibratedTimeModel(profile);
        var curves = profile.Calibration!.Curves;
        var rows = new List<ValidationRow>();
        var missing = new List<string>();
        foreach (var m in measurements)
        {
            var absent = m.Components.FirstOrDefault(c => !curves.ContainsKey(c.Family));
            if (absent is not null)
            {
                missing.Add($"{m.Family} {m.Shape}: profile has no '{absent.Family}' curve");
                continue;
            }
            var predicted = m.Components.Sum(c => model.SecondsForFamily(c.Family, c.Flops, c.Bytes, Units.DataType.Fp32, c.Kernels));
            rows.Add(new ValidationRow(m.Family, m.Variant, m.Shape, m.Fit && !BenchFamilies.IsComposite(m.Family), BenchFamilies.IsComposite(m.Family), m.MedianSeconds, predicted));
        }
        unpredictable = missing;
        return rows;
    }
}
