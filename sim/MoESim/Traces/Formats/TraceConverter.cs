namespace MoESim.Traces.Formats;

/// <summary>Copies a trace from any readable format to a writable one, streaming; the output appears only when complete.</summary>
public static class TraceConverter
{
    private const int ProgressEverySteps = 4096;

    /// <summary>Converts <paramref name="input"/> to <paramref name="output"/> (format by extension); returns the steps copied.</summary>
    public static long Convert(string input, string output, IProgress<double>? progress = null)
    {
        using var reader = RoutingTraceFiles.OpenReader(input);
        if (Path.GetFullPath(input) == Path.GetFullPath(output))
            throw new Config.InputException(output, "output", "is the input file; write to another path");
        using var writer = RoutingTraceFiles.CreateWriter(output, reader.Shape);
        var length = Math.Max(1, new FileInfo(input).Length);
        var step = new RoutingStep();
        long steps = 0;
        while (reader.TryRead(step))
        {
            writer.Write(step);
            if (++steps % ProgressEverySteps == 0) progress?.Report((double)reader.Position.ByteOffset / length);
        }
        writer.Complete();
        progress?.Report(1.0);
        return steps;
    }
}
