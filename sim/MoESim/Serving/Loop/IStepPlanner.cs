using MoESim.Cost;
using MoESim.Engine;
using MoESim.Traces;

namespace MoESim.Serving.Loop;

/// <summary>
/// Turns one step's batch (its shape, and the sequences whose tokens the router sees) into work
/// on the platform's resources and runs it: a whole pass on one device, a bulk-synchronous
/// expert-parallel program over many, and later offloading, PIM or micro-batched steps. The
/// planner routes the batch itself, since what it needs from the router (distinct experts per
/// layer, or every token's choices) depends on how it places experts.
/// </summary>
public interface IStepPlanner
{
    /// <summary>
    /// Starts the step at the simulator's current time. When the last of its work has finished,
    /// the planner calls <paramref name="onDone"/>'s <see cref="IEventTarget.OnEvent"/> with
    /// <paramref name="kind"/> directly (at that instant, before any other event of that instant
    /// that was queued later). One step runs at a time.
    /// </summary>
    void StartStep(in BatchShape batch, RoutingBatch routing, IEventTarget onDone, int kind);

    /// <summary>FLOPs of the last finished step, all devices together.</summary>
    double LastStepFlops { get; }

    /// <summary>Memory bytes moved by the last finished step, all devices together.</summary>
    double LastStepBytes { get; }

    /// <summary>Time the planner's devices were computing so far, seconds (mean over devices).</summary>
    double BusySeconds { get; }
}
