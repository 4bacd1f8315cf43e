using MoESim.Config;

namespace MoESim.Traces.Formats;

/// <summary>
/// Streams a whole trace through its reader's validation and counts it (a binary trace's reader
/// also checks the header's counts against what the file holds). Invalid input throws
/// <see cref="InputException"/> from the reader.
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
        // The reader compared the header's counts with the chunks at the end of the file.
        long? chunks = reader is MoeTraceReader binary ? binary.ChunksRead : null;
        progress?.Report(1.0);
        return new TraceCheckResult { Shape = reader.Shape, Counts = counts, Chunks = chunks };
    }
}
