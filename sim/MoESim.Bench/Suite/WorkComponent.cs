namespace MoESim.Bench.Suite;

/// <summary>
/// Work of one part of a benchmark case, predicted with the model of <see cref="Family"/>.
/// Single kernels have one component; composites (a whole MoE layer) have one per stage (one per
/// expert for the grouped FFN). <see cref="Threads"/> is the threads the kernels launch in total
/// (one per output element for most kernels; the fixed grid size for the grid-stride stream,
/// gather and combine kernels).
/// </summary>
public sealed record WorkComponent(string Family, double Flops, double Bytes, int Kernels, double Threads = 0)
{
    /// <summary>"family:flops:bytes:kernels:threads" (invariant culture, round-trip precision).</summary>
    public string ToText() => FormattableString.Invariant($"{Family}:{Flops:R}:{Bytes:R}:{Kernels}:{Threads:R}");

    /// <summary>Parses <see cref="ToText"/> (the threads field may be missing: 0); null when malformed.</summary>
    public static WorkComponent? Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length is not (4 or 5)) return null;
        var threads = 0.0;
        if (parts.Length == 5 && (!double.TryParse(parts[4], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out threads) || threads < 0))
            return null;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (!double.TryParse(parts[1], System.Globalization.NumberStyles.Float, inv, out var f)
            || !double.TryParse(parts[2], System.Globalization.NumberStyles.Float, inv, out var b)
            || !int.TryParse(parts[3], System.Globalization.NumberStyles.Integer, inv, out var k)
            || parts[0].Length == 0 || f < 0 || b < 0 || k < 0)
            return null;
        return new WorkComponent(parts[0], f, b, k, threads);
    }
}
