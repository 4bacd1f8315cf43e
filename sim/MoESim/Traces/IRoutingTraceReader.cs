namespace MoESim.Traces;

/// <summary>
/// Streams an expert-selection trace step by step (JSONL, binary .moetrace or CSV import).
/// Steps come in file order; within a request, iterations increase. Memory stays bounded
/// whatever the file size. Malformed input raises <see cref="Config.InputException"/> naming the
/// file, the record (line) or chunk byte offset, the field and what is wrong.
/// </summary>
public interface IRoutingTraceReader : IDisposable
{
    /// <summary>Path of the file being read, for messages.</summary>
    string Path { get; }

    /// <summary>The model shape of the trace (from the header, or inferred from the first records).</summary>
    TraceShape Shape { get; }

    /// <summary>Fills <paramref name="step"/> with the next step; false at the end of the trace.</summary>
    bool TryRead(RoutingStep step);
}
