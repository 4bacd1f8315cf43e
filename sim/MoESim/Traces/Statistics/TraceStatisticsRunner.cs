namespace MoESim.Traces.Statistics;

/// <summary>Reads a whole trace through a <see cref="TraceStatisticsCollector"/>.</summary>
public static class TraceStatisticsRunner
{
    /// <summary>
    /// Streams <paramref name="reader"/> to its end. <paramref name="progress"/> gets 0..1 when
    /// <paramref name="totalSteps"/> is known (&gt; 0), every 4,096 steps.
    /// </summary>
    public static TraceStatistics Run(IRoutingTraceReader reader, TraceStatisticsOptions options, long totalSteps = 0, IProgress<double>? progress = null)
    {
        var collector = new TraceStatisticsCollector(reader.Shape, options);
        var step = new RoutingStep();
        long read = 0;
        while (reader.TryRead(step))
        {
            collector.Add(step);
            if (progress is not null && totalSteps > 0 && (++read & 4095) == 0) progress.Report(Math.Min(1.0, read / (double)totalSteps));
        }
        progress?.Report(1.0);
        return collector.Finish();
    }
}
