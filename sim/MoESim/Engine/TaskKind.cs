namespace MoESim.Engine;

/// <summary>What a task in a <see cref="TaskGraph"/> does when it starts.</summary>
public enum TaskKind : byte
{
    /// <summary>Runs for a fixed duration on one compute unit (queued behind its streams).</summary>
    Compute,

    /// <summary>Moves a number of bytes over a route of links in one flow network.</summary>
    Transfer,

    /// <summary>Waits a fixed time (a latency, a launch overhead); uses no resource.</summary>
    Delay,

    /// <summary>Zero-duration barrier: finishes the instant its last predecessor finishes.</summary>
    Join,

    /// <summary>Started by an <see cref="IExternalTaskStarter"/>, finished when it calls <see cref="TaskGraphExecutor.Complete"/>.</summary>
    External,
}
