using System.Runtime.CompilerServices;
using MoESim.Traces.Formats;

namespace MoESim.Traces.Statistics;

/// <summary>Reads a whole trace through a <see cref="TraceStatisticsCollector"/>.</summary>
public static class TraceStatisticsRunner
{
    /// <summary>
    /// Streams <paramref name="reader"/> to its end. Every 4,096 steps <paramref name="progress"/>
    /// gets <paramref name="fractionRead"/>() (0..1, e.g. byte offset over file size) when both are given.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static TraceStatistics Run(IRoutingTraceReader reader, TraceStatisticsOptions options, Func<double>? fractionRead = null, IProgress<double>? progress = null)
    {
        var collector = new TraceStatisticsCollector(reader.Shape, options);
        var report = progress is not null && fractionRead is not null;
        long read = 0;
        if (reader is MoeTraceReader binary)
        {
            // Ids straight from the chunk buffer: no widening to ints, no copy.
            while (binary.TryReadPacked(out var packed))
            {
                collector.Add(packed);
                if (report && (++read & 4095) == 0) progress!.Report(Math.Clamp(fractionRead!(), 0, 1));
            }
        }
        else
        {
            var step = new RoutingStep();
            while (reader.TryRead(step))
            {
                collector.Add(step);
                if (report && (++read & 4095) == 0) progress!.Report(Math.Clamp(fractionRead!(), 0, 1));
            }
        }
        progress?.Report(1.0);
        return collector.Finish();
    }
}
