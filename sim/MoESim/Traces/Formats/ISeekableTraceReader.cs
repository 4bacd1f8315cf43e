namespace MoESim.Traces.Formats;

/// <summary>
/// A trace reader that can report where its next step starts and jump back there. Replay uses
/// it to index a trace in one pass and then decode single requests on demand.
/// </summary>
public interface ISeekableTraceReader : IRoutingTraceReader
{
    /// <summary>Position of the step the next <see cref="IRoutingTraceReader.TryRead"/> returns.</summary>
    TracePosition Position { get; }

    /// <summary>
    /// Moves to a position previously taken from <see cref="Position"/>. Cross-step order checks
    /// (which need the whole file in order) are switched off from then on; per-step checks stay.
    /// </summary>
    void Seek(TracePosition position);
}
