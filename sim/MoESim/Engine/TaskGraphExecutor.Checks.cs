using System.Text;
using MoESim.Units;

namespace MoESim.Engine;

// Checks and error reports of the executor: input validation before a run, state checks on
// completions, and the readable "what did not finish" report. Kept apart from the hot path.
public sealed partial class TaskGraphExecutor
{
    // Most tasks named when a run is reported unfinished, to keep the message readable.
    private const int MaxTasksInReport = 12;

    /// <summary>
    /// Throws, naming the tasks that have not finished, when a run is still going on; call it
    /// after the simulator runs out of events to turn an external task that never completed
    /// into a clear error instead of a silently missing result.
    /// </summary>
    public void ThrowIfUnfinished()
    {
        if (!IsRunning)
            return;
        var graph = _graph!;
        var text = new StringBuilder();
        text.Append($"task graph run {RunId} did not finish: {_taskCount - _finishedCount} of {_taskCount} tasks unfinished at {_sim.Now}: ");
        int named = 0;
        for (int t = 0; t < _taskCount && named < MaxTasksInReport; t++)
        {
            if (_endAtPicoseconds[t] != NotYet)
                continue;
            if (named++ > 0)
                text.Append(", ");
            text.Append($"task {t}");
            if (graph.LabelAt(t) is { } label)
                text.Append($" '{label}'");
            text.Append($" ({graph.KindAt(t)}, {(_readyAtPicoseconds[t] == NotYet ? "waiting for predecessors" : "started")})");
        }
        throw new InvalidOperationException(text.ToString());
    }

    private TaskGraph CheckRunningTask(int taskId)
    {
        if (!IsRunning)
            throw new InvalidOperationException($"task {taskId}: no run is going on");
        if ((uint)taskId >= (uint)_taskCount)
            throw new ArgumentOutOfRangeException(nameof(taskId), taskId, $"no task with id {taskId} (the graph has {_taskCount})");
        if (_readyAtPicoseconds[taskId] == NotYet)
            throw new InvalidOperationException($"task {taskId} cannot finish: it has not started");
        if (_endAtPicoseconds[taskId] != NotYet)
            throw new InvalidOperationException($"task {taskId} finished twice (first at {new SimTime(_endAtPicoseconds[taskId])})");
        return _graph!;
    }

    private void CheckResources(TaskGraph graph)
    {
        var units = _resources.ComputeUnits;
        var networks = _resources.Networks;
        for (int t = 0; t < graph.TaskCount; t++)
        {
            int id = graph.ResourceAt(t);
            switch (graph.KindAt(t))
            {
                case TaskKind.Compute when id >= units.Count:
                    throw new ArgumentException($"task {t} runs on compute unit {id}, but the resource set has {units.Count}", nameof(graph));
                case TaskKind.Transfer when id >= networks.Count:
                    throw new ArgumentException($"task {t} uses network {id}, but the resource set has {networks.Count}", nameof(graph));
                case TaskKind.Transfer:
                    int links = networks[id].Links.Count;
                    foreach (int link in graph.RouteAt(t))
                    {
                        if (link >= links)
                            throw new ArgumentException($"task {t} routes over link {link}, but network {id} has {links}", nameof(graph));
                    }
                    break;
            }
        }
    }

    private SimTime Read(long[] times, int taskId, string what)
    {
        if ((uint)taskId >= (uint)_taskCount)
            throw new ArgumentOutOfRangeException(nameof(taskId), taskId, $"no task with id {taskId} in the latest run ({_taskCount} tasks)");
        long ps = times[taskId];
        if (ps == NotYet)
            throw new InvalidOperationException($"task {taskId} has not {what} yet");
        return new SimTime(ps);
    }
}
