namespace MoESim.Planning;

/// <summary>
/// A service-level objective on the latency distribution of all requests: the chosen
/// percentile of time per output token and (optionally) of time to first token must not
/// exceed the limits.
/// </summary>
public sealed record LatencyObjective
{
    /// <summary>Percentile the limits apply to: 50, 90 or 99.</summary>
    public int Percentile { get; init; } = 90;

    /// <summary>Most time per output token at the percentile, seconds (&gt; 0).</summary>
    public required double TpotSeconds { get; init; }

    /// <summary>Most time to first token at the percentile, seconds (&gt; 0); null for no limit.</summary>
    public double? TtftSeconds { get; init; }

    /// <summary>Problems with the limits as (field, message) pairs, in milliseconds as the CLI takes them; empty when valid.</summary>
    public IEnumerable<(string Field, string Problem)> Validate()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        if (Percentile is not (50 or 90 or 99)) yield return ("slo_percentile", $"must be 50, 90 or 99, got {Percentile}");
        if (!(TpotSeconds > 0) || !double.IsFinite(TpotSeconds)) yield return ("tpot_slo_ms", string.Create(inv, $"must be a finite time above 0, got {TpotSeconds * 1e3} ms"));
        if (TtftSeconds is { } ttft && (!(ttft > 0) || !double.IsFinite(ttft))) yield return ("ttft_slo_ms", string.Create(inv, $"must be a finite time above 0, got {ttft * 1e3} ms"));
    }
}
