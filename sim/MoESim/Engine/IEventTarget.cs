namespace MoESim.Engine;

/// <summary>
/// Receives events from a <see cref="Simulator"/>. Dispatch goes through this interface (one
/// virtual call per event) so the hot loop allocates no delegates and uses no reflection; a
/// target tells its own event kinds apart by the <c>kind</c> argument.
/// </summary>
public interface IEventTarget
{
    /// <summary>
    /// Handles one event at <see cref="Simulator.Now"/>. <paramref name="kind"/>,
    /// <paramref name="arg0"/> and <paramref name="arg1"/> are whatever the scheduler passed;
    /// their meaning belongs to the target.
    /// </summary>
    void OnEvent(Simulator sim, int kind, long arg0, long arg1);
}
