namespace MoESim.Bench.Suite;

/// <summary>
/// Work of one part of a benchmark case, predicted with the curve of <see cref="Family"/>.
/// Single kernels have one component; composites (a whole MoE layer) have one per stage.
/// </summary>
public sealed record WorkComponent(string Family, double Flops, double Bytes, int Kernels)
{
    /// <summary>"family:flops:bytes:kernels" (invariant culture, round-trip precision).</summary>
    public string ToText() => FormattableString.Invariant($"{Family}:{Flops:R}:{Bytes:R}:{Kernels}");

    /// <summary>Parses <see cref="ToText"/>; null when malformed.</summary>
    public static WorkComponent? Parse(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 4) return null;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (!double.TryParse(parts[1], System.Globalization.NumberStyles.Float, inv, out var f)
            || !double.TryParse(parts[2], System.Globalization.NumberStyles.Float, inv, out var b)
            || !int.TryParse(parts[3], System.Globalization.NumberStyles.Integer, inv, out var k)
            || parts[0].Length == 0 || f < 0 || b < 0 || k < 0)
            return null;
        return new WorkComponent(parts[0], f, b, k);
    }
}
