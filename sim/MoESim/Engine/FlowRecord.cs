using MoESim.Units;

namespace MoESim.Engine;

/// <summary>
/// Mutable state of one in-flight flow. Records are pooled by <see cref="FlowNetwork"/> and
/// reused, route array included, so starting a flow allocates nothing in steady state.
/// </summary>
internal sealed class FlowRecord
{
    public FlowRecord(int slot) => Slot = slot;

    public int Slot { get; }
    public bool InUse;
    public long Serial;            // start order, for deterministic completion order
    public long Bytes;
    public double RemainingBytes;
    public double RateBytesPerSecond;
    public int[] Route = new int[4];
    public int RouteLength;
    public IEventTarget? OnDone;
    public int Kind;
    public long Arg0;
    public long Arg1;
    public string? Label;
    public SimTime StartedAt;      // when StartFlow was called (latency included in the span)
    public int ActiveIndex = -1;   // position in the active list, -1 while paying latency

    public ReadOnlySpan<int> RouteSpan => Route.AsSpan(0, RouteLength);

    public void SetRoute(ReadOnlySpan<int> route)
    {
        if (Route.Length < route.Length)
            Route = new int[Math.Max(route.Length, Route.Length * 2)];
        route.CopyTo(Route);
        RouteLength = route.Length;
    }

    public void Reset()
    {
        InUse = false;
        OnDone = null;
        Label = null;
        RouteLength = 0;
        ActiveIndex = -1;
        RateBytesPerSecond = 0;
        RemainingBytes = 0;
    }
}
