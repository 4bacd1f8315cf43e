namespace MoESim.Traces.Formats;

/// <summary>Names shared by the JSONL trace reader and writer (see traces/README.md).</summary>
internal static class JsonlTraceFormat
{
    /// <summary>Value of the header's <c>format</c> field.</summary>
    public const string FormatTag = "moesim-routing-trace";
    /// <summary>The only version this code reads and writes.</summary>
    public const int Version = 1;
    public const string Prefill = "prefill";
    public const string Decode = "decode";
}
