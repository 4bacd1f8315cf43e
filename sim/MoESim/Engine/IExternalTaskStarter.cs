namespace MoESim.Engine;

/// <summary>
/// Starts an <see cref="TaskKind.External"/> task: anything the graph cannot express itself
/// (an existing collective, a model with its own events). The starter must later finish the
/// task exactly once, either by calling <see cref="TaskGraphExecutor.Complete"/> or by having
/// an event (<see cref="TaskGraphExecutor.TaskCompletedEventKind"/>, taskId,
/// <see cref="TaskGraphExecutor.RunId"/>) delivered to the executor, which lets code that
/// signals completion through <see cref="IEventTarget"/> report to the executor directly.
/// </summary>
public interface IExternalTaskStarter
{
    /// <summary>
    /// Called at <see cref="Simulator.Now"/> when task <paramref name="taskId"/> (0 ≤ id &lt; task
    /// count) becomes ready; <paramref name="argument"/> is the value given to
    /// <see cref="TaskGraph.AddExternal"/>. Completing synchronously, inside this call, is allowed
    /// and finishes the task without advancing time.
    /// </summary>
    void Start(int taskId, long argument, TaskGraphExecutor executor);
}
