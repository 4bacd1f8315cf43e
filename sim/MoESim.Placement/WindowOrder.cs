namespace MoESim.Placement;

/// <summary>What time order means when a trace is cut into windows (<see cref="TraceWindows"/>).</summary>
public enum WindowOrder
{
    /// <summary>
    /// Steps in the order the trace file lists them: serving order for a trace recorded from a
    /// server (steps of concurrent requests interleaved); request after request for a trace
    /// written one request at a time (<c>trace gen</c>).
    /// </summary>
    File,

    /// <summary>
    /// Steps by iteration (a request's 0-based step number), ties in file order: all scored
    /// requests run concurrently from the start, as in one batch, so window 0 holds their
    /// prefills and later windows their later decode steps. Suits traces without interleaving.
    /// </summary>
    Iteration,
}
