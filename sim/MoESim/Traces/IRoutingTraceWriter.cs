namespace MoESim.Traces;

/// <summary>
/// Writes an expert-selection trace step by step. Output goes to a temporary file that is
/// renamed over the destination only by <see cref="Complete"/>, so a failed or interrupted write
/// never leaves a half-written trace behind; disposing without completing discards it.
/// </summary>
public interface IRoutingTraceWriter : IDisposable
{
    /// <summary>Appends one step (its shape must match the writer's <see cref="TraceShape"/>).</summary>
    void Write(RoutingStep step);

    /// <summary>Flushes, finalises headers and counts, and renames the file into place.</summary>
    void Complete();
}
