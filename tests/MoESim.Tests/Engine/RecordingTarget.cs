using MoESim.Engine;
using MoESim.Units;

namespace MoESim.Tests.Engine;

/// <summary>One delivered event as a test sees it.</summary>
internal readonly record struct DeliveredEvent(long TimePicoseconds, string Target, int Kind, long Arg0, long Arg1);

/// <summary>Test target that logs every event it receives (into a shared log if given).</summary>
internal sealed class RecordingTarget : IEventTarget
{
    public RecordingTarget(string name, List<DeliveredEvent>? log = null)
    {
        Name = name;
        Log = log ?? new List<DeliveredEvent>();
    }

    public string Name { get; }
    public List<DeliveredEvent> Log { get; }

    public void OnEvent(Simulator sim, int kind, long arg0, long arg1) =>
        Log.Add(new DeliveredEvent(sim.Now.Picoseconds, Name, kind, arg0, arg1));

    /// <summary>Time (seconds) at which the event with this arg0 was delivered.</summary>
    public double SecondsOf(long arg0) => new SimTime(Log.Single(e => e.Arg0 == arg0).TimePicoseconds).Seconds;
}
