using MoESim.Cost;
using MoESim.Hardware;
using MoESim.Units;

namespace MoESim.Plots;

/// <summary>Draws a roofline study (<see cref="RooflineAnalysis"/>) of one model on one device.</summary>
public static class RooflineFigure
{
    private static readonly Dictionary<string, string> KindLabels = new()
    {
        [OperatorKinds.AttentionProjection] = "attention projections",
        [OperatorKinds.AttentionPrefill] = "attention core (prefill)",
        [OperatorKinds.AttentionDecode] = "attention core (decode)",
        [OperatorKinds.Router] = "router",
        [OperatorKinds.ExpertFfn] = "routed experts",
        [OperatorKinds.SharedExpert] = "shared experts",
        [OperatorKinds.DenseFfn] = "dense FFN",
        [OperatorKinds.LmHead] = "LM head",
    };

    public static ChartFilePaths Save(DeviceProfile device, string modelName, IReadOnlyList<RooflineSeries> series, string pathWithoutExtension)
    {
        var ceilings = device.PeakFlopsPerSecond
            .Where(p => p.Key is DataType.Bf16 or DataType.Fp8 or DataType.Int8 or DataType.Fp32)
            .OrderBy(p => p.Value)
            .Select(p => new RooflineCeiling { DataTypeName = DataTypes.Name(p.Key), PeakFlopsPerSecond = p.Value })
            .ToList();
        var points = series
            .SelectMany(s => s.Operators.Select(op => (s.Name, op)))
            .Where(x => x.op.Work.Flops > 0 && x.op.Work.TotalBytes > 0 && x.op.Seconds > 0)
            .Select(x => new RooflinePoint
            {
                Series = x.Name,
                OperatorKind = KindLabels.GetValueOrDefault(x.op.Work.Kind, x.op.Work.Kind),
                ArithmeticIntensityFlopsPerByte = x.op.Work.ArithmeticIntensity,
                AchievedFlopsPerSecond = x.op.AchievedFlopsPerSecond,
            })
            .ToList();
        return RooflineChart.Save(new RooflineChartData
        {
            DeviceName = device.Name,
            ModelName = modelName,
            MemoryBandwidthBytesPerSecond = device.MainMemory.BandwidthBytesPerSecond,
            Ceilings = ceilings,
            Points = points,
        }, pathWithoutExtension);
    }
}
