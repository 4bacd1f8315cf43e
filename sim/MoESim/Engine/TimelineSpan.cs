using MoESim.Units;

namespace MoESim.Engine;

/// <summary>
/// One recorded interval on a named track (a compute stream, a link). Up to two optional
/// numeric arguments (for example bytes, FLOPs) travel with it into the trace; an argument
/// whose name is null is absent.
/// </summary>
public readonly record struct TimelineSpan(
    string Track,
    string Name,
    SimTime Start,
    SimTime End,
    string? Arg0Name = null,
    double Arg0Value = 0,
    string? Arg1Name = null,
    double Arg1Value = 0)
{
    /// <summary>Length of the span (End − Start).</summary>
    public SimTime Duration => End - Start;
}
