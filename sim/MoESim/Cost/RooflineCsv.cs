using System.Globalization;
using System.Text;
using MoESim.IO;

namespace MoESim.Cost;

/// <summary>Writes a roofline study as a CSV table (one row per operator and batch setting).</summary>
public static class RooflineCsv
{
    public static void Write(string path, IReadOnlyList<RooflineSeries> series)
    {
        var sb = new StringBuilder("series,operator,kind,layers,flops,weight_bytes,activation_bytes,kv_cache_bytes,intensity_flop_per_byte,time_s,achieved_flops_per_s\n");
        foreach (var s in series)
        {
            foreach (var op in s.Operators)
            {
                var w = op.Work;
                sb.Append(CultureInfo.InvariantCulture,
                    $"{s.Name},{w.Name},{w.Kind},{op.LayerCount},{w.Flops:R},{w.WeightBytes:R},{w.ActivationBytes:R},{w.KvCacheBytes:R},{w.ArithmeticIntensity:R},{op.Seconds:R},{op.AchievedFlopsPerSecond:R}\n");
            }
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }
}
