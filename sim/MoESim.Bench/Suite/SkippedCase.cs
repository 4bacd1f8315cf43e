namespace MoESim.Bench.Suite;

/// <summary>A planned case that did not run, and why (too slow for the time cap, too big, or wrong against the reference).</summary>
public sealed record SkippedCase(string Family, string Variant, string Shape, string Reason);
