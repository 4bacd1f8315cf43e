using System.Text;

namespace MoESim.Engine;

/// <summary>
/// Successor lists of a <see cref="TaskGraph"/> in compressed sparse row form, each list sorted
/// by task id (so released tasks start in id order), plus a cycle check. Arrays are pooled and
/// only grow.
/// </summary>
internal sealed class TaskGraphTopology
{
    // Most tasks a cycle report names, so a huge cycle still gives a readable message.
    private const int MaxTasksInCycleReport = 12;

    private int[] _successorStarts = new int[1];  // task count + 1
    private int[] _successors = [];               // edge count
    private int[] _edgeOrder = [];                // edge count: edges sorted by target
    private int[] _scratch = new int[1];          // task count + 1
    private int[] _queue = [];                    // task count

    /// <summary>Successors of <paramref name="taskId"/> in increasing id order.</summary>
    public ReadOnlySpan<int> SuccessorsOf(int taskId) =>
        _successors.AsSpan(_successorStarts[taskId], _successorStarts[taskId + 1] - _successorStarts[taskId]);

    /// <summary>Rebuilds the successor lists from the edge arrays; throws when the edges form a cycle.</summary>
    public void Build(int taskCount, int[] edgeFrom, int[] edgeTo, int edgeCount, int[] predecessorCounts, string?[] labels)
    {
        EnsureCapacity(taskCount, edgeCount);
        var starts = _successorStarts;
        var scratch = _scratch;

        // Counting sort of the edges by target, then a stable scatter by source: every
        // source's successors come out in increasing id order with no comparison sort.
        Array.Clear(scratch, 0, taskCount + 1);
        for (int e = 0; e < edgeCount; e++)
            scratch[edgeTo[e] + 1]++;
        for (int t = 0; t < taskCount; t++)
            scratch[t + 1] += scratch[t];
        for (int e = 0; e < edgeCount; e++)
            _edgeOrder[scratch[edgeTo[e]]++] = e;

        Array.Clear(starts, 0, taskCount + 1);
        for (int e = 0; e < edgeCount; e++)
            starts[edgeFrom[e] + 1]++;
        for (int t = 0; t < taskCount; t++)
            starts[t + 1] += starts[t];
        Array.Copy(starts, scratch, taskCount + 1);
        for (int k = 0; k < edgeCount; k++)
        {
            int e = _edgeOrder[k];
            _successors[scratch[edgeFrom[e]]++] = edgeTo[e];
        }

        CheckAcyclic(taskCount, edgeFrom, edgeTo, edgeCount, predecessorCounts, labels);
    }

    // Kahn's algorithm: a task never reached with all predecessors done is on or behind a cycle.
    private void CheckAcyclic(int taskCount, int[] edgeFrom, int[] edgeTo, int edgeCount, int[] predecessorCounts, string?[] labels)
    {
        var remaining = _scratch;
        Array.Copy(predecessorCounts, remaining, taskCount);
        int head = 0, tail = 0;
        for (int t = 0; t < taskCount; t++)
        {
            if (remaining[t] == 0)
                _queue[tail++] = t;
        }
        while (head < tail)
        {
            int t = _queue[head++];
            foreach (int s in SuccessorsOf(t))
            {
                if (--remaining[s] == 0)
                    _queue[tail++] = s;
            }
        }
        if (tail < taskCount)
            throw new InvalidOperationException(DescribeCycle(taskCount - tail, taskCount, edgeFrom, edgeTo, edgeCount, labels));
    }

    // Error path only, so it may allocate. Every unreached task still has an unreached
    // predecessor (its remaining count is positive), so walking predecessors must repeat a task:
    // the walk from that repeat is a cycle.
    private string DescribeCycle(int stuck, int taskCount, int[] edgeFrom, int[] edgeTo, int edgeCount, string?[] labels)
    {
        var remaining = _scratch;
        int first = 0;
        while (remaining[first] == 0)
            first++;
        var walk = new List<int>();
        var seenAt = new Dictionary<int, int>();
        int t = first;
        while (!seenAt.ContainsKey(t))
        {
            seenAt[t] = walk.Count;
            walk.Add(t);
            int pred = -1;
            for (int e = 0; e < edgeCount && pred < 0; e++)
            {
                if (edgeTo[e] == t && remaining[edgeFrom[e]] > 0)
                    pred = edgeFrom[e];
            }
            t = pred;
        }
        // The walk went backwards along edges; reverse the loop to print it in edge direction.
        var cycle = walk.GetRange(seenAt[t], walk.Count - seenAt[t]);
        cycle.Reverse();
        // Start the report at the lowest id so the same cycle always reads the same.
        int lowest = cycle.IndexOf(cycle.Min());
        cycle = [.. cycle.GetRange(lowest, cycle.Count - lowest), .. cycle.GetRange(0, lowest)];
        var text = new StringBuilder();
        text.Append($"task graph has a cycle, so {stuck} of {taskCount} tasks can never start: ");
        for (int i = 0; i < cycle.Count && i < MaxTasksInCycleReport; i++)
            text.Append(Name(cycle[i], labels)).Append(" -> ");
        if (cycle.Count > MaxTasksInCycleReport)
            text.Append($"... ({cycle.Count - MaxTasksInCycleReport} more) -> ");
        text.Append(Name(cycle[0], labels));
        return text.ToString();
    }

    private static string Name(int taskId, string?[] labels) =>
        labels[taskId] is { } label ? $"task {taskId} '{label}'" : $"task {taskId}";

    private void EnsureCapacity(int taskCount, int edgeCount)
    {
        // Doubling, so a graph growing a task at a time reallocates only log(n) times.
        if (_successorStarts.Length < taskCount + 1)
        {
            int size = Math.Max(taskCount + 1, 2 * _successorStarts.Length);
            _successorStarts = new int[size];
            _scratch = new int[size];
            _queue = new int[size];
        }
        if (_successors.Length < edgeCount)
        {
            int size = Math.Max(edgeCount, 2 * _successors.Length);
            _successors = new int[size];
            _edgeOrder = new int[size];
        }
    }
}
