using MoESim.Config;

namespace MoESim.Traces.Formats;

/// <summary>
/// Streams a whole trace through its reader's validation and counts it; for a binary trace also
/// checks the header's counts against what the file holds. Invalid input throws
/// <see cref="InputException"/> (from the reader, or here for a count mismatch).
/// </summary>
public static class TraceChecker
{
    private const int ProgressEverySteps = 4096;

    public static TraceCheckResult Check(string path, IProgress<double>? progress = null)
    {
        using var reader = RoutingTraceFiles.OpenReader(path);
        var length = Math.Max(1, new FileInfo(path).Length);
        var counts = new TraceCounts();
        var step = new RoutingStep();
        while (reader.TryRead(step))
        {
            counts.Add(step);
            if (progress is not null && counts.Steps % ProgressEverySteps == 0)
                progress.Report((double)reader.Position.ByteOffset / length);
        }
        long? chunks = null;
        if (reader is MoeTraceReader binary)
        {
            chunks = binary.ChunksRead;
            var h = binary.Header;
            var errors = new InputErrorList();
            void Compare(string field, long header, long counted)
            {
                if (header != counted) errors.Add(path, 0, 0, $"header {field}", $"the header says {header}, the chunks hold {counted}");
            }
            Compare("requests", h.Requests, counts.Requests);
            Compare("prefill_tokens", h.PrefillTokens, counts.PrefillTokens);
            Compare("decode_tokens", h.DecodeTokens, counts.DecodeTokens);
            Compare("selections", h.Selections, counts.Selections);
            errors.ThrowIfAny();
        }
        progress?.Report(1.0);
        return new TraceCheckResult { Shape = reader.Shape, Counts = counts, Chunks = chunks };
    }
}
