using MoESim.Traces;

namespace MoESim.Placement;

/// <summary>A trace reader over steps already in memory (synthetic traces, tests).</summary>
public sealed class InMemoryTraceReader : IRoutingTraceReader
{
    private readonly IReadOnlyList<RoutingStep> _steps;
    private int _next;

    public InMemoryTraceReader(IReadOnlyList<RoutingStep> steps, TraceShape shape, string path = "(in memory)")
    {
        _steps = steps;
        Shape = shape;
        Path = path;
    }

    public string Path { get; }
    public TraceShape Shape { get; }

    public bool TryRead(RoutingStep step)
    {
        if (_next >= _steps.Count) return false;
        step.CopyFrom(_steps[_next++]);
        return true;
    }

    public void Dispose() { }
}
