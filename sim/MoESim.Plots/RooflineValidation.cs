namespace MoESim.Plots;

/// <summary>Input checks for <see cref="RooflineChart"/>; messages name the offending ceiling or series.</summary>
internal static class RooflineValidation
{
    public static void Validate(RooflineChartData data)
    {
        const string param = "data";
        ArgumentNullException.ThrowIfNull(data);
        ChartDataValidation.RequireText(data.DeviceName, "DeviceName", param);
        ChartDataValidation.RequireText(data.ModelName, "ModelName", param);
        ChartDataValidation.RequireText(data.MemoryName, "MemoryName", param);
        if (!double.IsFinite(data.MemoryBandwidthBytesPerSecond) || data.MemoryBandwidthBytesPerSecond <= 0)
            throw new ArgumentException(
                $"MemoryBandwidthBytesPerSecond must be finite and > 0 (log axes), got {data.MemoryBandwidthBytesPerSecond}.", param);
        if (data.Ceilings is null || data.Ceilings.Count == 0)
            throw new ArgumentException("A roofline needs at least one compute ceiling.", param);
        HashSet<string> names = [];
        foreach (RooflineCeiling c in data.Ceilings)
        {
            ChartDataValidation.RequireText(c?.DataTypeName, "Every ceiling's DataTypeName", param);
            if (!double.IsFinite(c!.PeakFlopsPerSecond) || c.PeakFlopsPerSecond <= 0)
                throw new ArgumentException(
                    $"Ceiling '{c.DataTypeName}' has PeakFlopsPerSecond {c.PeakFlopsPerSecond}; it must be finite and > 0 (log axes).", param);
            if (!names.Add(c.DataTypeName))
                throw new ArgumentException($"Ceiling '{c.DataTypeName}' appears twice.", param);
        }

        if (data.Points is null)
            throw new ArgumentException("Points must not be null (use an empty list).", param);
        for (int i = 0; i < data.Points.Count; i++)
        {
            RooflinePoint? p = data.Points[i];
            if (p is null || string.IsNullOrWhiteSpace(p.Series) || string.IsNullOrWhiteSpace(p.OperatorKind))
                throw new ArgumentException($"Point {i} needs a non-empty Series and OperatorKind.", param);
            if (!double.IsFinite(p.ArithmeticIntensityFlopsPerByte) || p.ArithmeticIntensityFlopsPerByte <= 0)
                throw new ArgumentException(
                    $"Series '{p.Series}' ({p.OperatorKind}, point {i}) has arithmetic intensity " +
                    $"{p.ArithmeticIntensityFlopsPerByte} FLOP/byte; the axis is logarithmic and needs values > 0.", param);
            if (!double.IsFinite(p.AchievedFlopsPerSecond) || p.AchievedFlopsPerSecond <= 0)
                throw new ArgumentException(
                    $"Series '{p.Series}' ({p.OperatorKind}, point {i}) has achieved performance " +
                    $"{p.AchievedFlopsPerSecond} FLOP/s; the axis is logarithmic and needs values > 0.", param);
        }
    }
}
