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
        // Types with the same peak (fp8 and int8 on Hopper) share one labelled ceiling, else the
        // labels overprint; fp32 is left out because no inference operator runs at it.
        var ceilings = device.PeakFlopsPerSecond
            .Where(p => p.Key is DataType.Bf16 or DataType.Fp8 or DataType.Int8)
            .GroupBy(p => p.Value)
            .OrderBy(g => g.Key)
            .Select(g => new RooflineCeiling
            {
                DataTypeName = string.Join("/", g.OrderBy(p => p.Key).Select(p => DataTypes.Name(p.Key))),
                PeakFlopsPerSecond = g.Key,
            })
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
