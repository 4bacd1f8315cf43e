namespace MoESim.Traces.Statistics;

/// <summary>
/// An <see cref="IRoutingTraceWriter"/> that writes no file: it feeds every step to a
/// <see cref="TraceStatisticsCollector"/>. Lets the generator be measured (e.g. while fitting)
/// without the cost of encoding a trace.
/// </summary>
public sealed class StatisticsTraceWriter : IRoutingTraceWriter
{
    /// <summary>Collects statistics of traces of <paramref name="shape"/>.</summary>
    public StatisticsTraceWriter(TraceShape shape, TraceStatisticsOptions options) => Collector = new TraceStatisticsCollector(shape, options);

    /// <summary>The collector being fed.</summary>
    public TraceStatisticsCollector Collector { get; }

    public void Write(RoutingStep step) => Collector.Add(step);

    public void Complete() { }

    public void Dispose() { }
}
