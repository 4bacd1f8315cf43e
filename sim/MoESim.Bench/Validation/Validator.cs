using MoESim.Bench.Calibration;
using MoESim.Bench.Suite;
using MoESim.Cost;
using MoESim.Hardware;

namespace MoESim.Bench.Validation;

/// <summary>
/// Predicts every measured case from a measured profile alone, through the simulator's
/// <see cref="CalibratedTimeModel"/>: single kernels with their family's model, composites
/// stage by stage (dispatch with the gather model, combine with the combine model, the grouped
/// FFN expert by expert: each active expert's tokens as one SwiGLU FFN, the launches paid once
/// because the grouped kernels launch once per stage).
/// </summary>
public static class Validator
{
    /// <summary>Rows for every measurement whose families the profile calibrates; the others are returned in <paramref name="unpredictable"/>.</summary>
    public static IReadOnlyList<ValidationRow> Predict(DeviceProfile profile, IReadOnlyList<Measurement> measurements, out IReadOnlyList<string> unpredictable)
    {
        var model = new CalibratedTimeModel(profile);
        var families = profile.Calibration!.Families;
        var rows = new List<ValidationRow>();
        var missing = new List<string>();
        foreach (var m in measurements)
        {
            var absent = m.Components.FirstOrDefault(c => !families.ContainsKey(c.Family));
            if (absent is not null)
            {
                missing.Add($"{m.Family} {m.Shape}: profile has no '{absent.Family}' model");
                continue;
            }
            var predicted = m.Components.Sum(c => model.SecondsForFamily(c.Family, c.Flops, c.Bytes, c.Threads, Units.DataType.Fp32, c.Kernels));
            rows.Add(new ValidationRow(m.Family, m.Variant, m.Shape, m.Fit && !BenchFamilies.IsComposite(m.Family), BenchFamilies.IsComposite(m.Family), m.Seconds, predicted,
                (m.Timing.P90Seconds - m.Timing.P10Seconds) / m.MedianSeconds * 100));
        }
        unpredictable = missing;
        return rows;
    }
}
