using MoESim.Units;

namespace MoESim.Engine;

/// <summary>
/// A reusable graph of tasks (compute, transfer, delay, join, external) and the dependencies
/// between them, run by a <see cref="TaskGraphExecutor"/>. Task ids are 0, 1, ... in order of
/// adding. Storage is pooled: <see cref="Clear"/> keeps every array, so rebuilding a graph of
/// the same or smaller size allocates nothing. Routes live in one shared int buffer, edges in
/// flat int arrays. A graph cannot be changed while an executor runs it.
/// </summary>
public sealed class TaskGraph
{
    private TaskKind[] _kinds;
    private int[] _resourceIds;          // compute-unit id, network id, or -1
    // One long per task, read by kind: duration in ps (compute, delay), bytes (transfer),
    // starter argument (external). One array instead of three keeps the pool small.
    private long[] _amounts;
    private int[] _routeStarts;
    private int[] _routeLengths;
    private string?[] _labels;
    private IExternalTaskStarter?[] _starters;
    private int[] _predecessorCounts;
    private int[] _routes;
    private int _routeLength;
    private int[] _edgeFrom;
    private int[] _edgeTo;
    private int _count;
    private int _edgeCount;
    private int _activeRuns;
    private readonly TaskGraphTopology _topology = new();
    private bool _topologyCurrent;

    /// <summary>Creates an empty graph with room for <paramref name="taskCapacity"/> (≥ 1) tasks and <paramref name="dependencyCapacity"/> (≥ 1) dependencies before growing.</summary>
    public TaskGraph(int taskCapacity = 16, int dependencyCapacity = 32)
    {
        if (taskCapacity < 1)
            throw new ArgumentOutOfRangeException(nameof(taskCapacity), taskCapacity, "must be at least 1");
        if (dependencyCapacity < 1)
            throw new ArgumentOutOfRangeException(nameof(dependencyCapacity), dependencyCapacity, "must be at least 1");
        _kinds = new TaskKind[taskCapacity];
        _resourceIds = new int[taskCapacity];
        _amounts = new long[taskCapacity];
        _routeStarts = new int[taskCapacity];
        _routeLengths = new int[taskCapacity];
        _labels = new string?[taskCapacity];
        _starters = new IExternalTaskStarter?[taskCapacity];
        _predecessorCounts = new int[taskCapacity];
        _routes = new int[Math.Max(4, taskCapacity)];
        _edgeFrom = new int[dependencyCapacity];
        _edgeTo = new int[dependencyCapacity];
    }

    /// <summary>Number of tasks (ids 0 to TaskCount − 1).</summary>
    public int TaskCount => _count;

    /// <summary>Number of dependencies added (duplicates included).</summary>
    public int DependencyCount => _edgeCount;

    /// <summary>Tasks the pooled arrays hold before they next grow.</summary>
    public int TaskCapacity => _kinds.Length;

    /// <summary>True while at least one executor is running this graph (it cannot be changed then).</summary>
    public bool IsRunning => _activeRuns > 0;

    /// <summary>
    /// Adds a task running for <paramref name="duration"/> (≥ 0) on compute unit
    /// <paramref name="computeUnitId"/> (≥ 0, an index into the executor's
    /// <see cref="ResourceSet.ComputeUnits"/>); returns its id. <paramref name="label"/> names its
    /// timeline span. Even a zero-duration job queues behind the unit's busy streams, as a kernel
    /// would, so it finishes when a stream is free.
    /// </summary>
    public int AddCompute(int computeUnitId, SimTime duration, string? label = null)
    {
        if (computeUnitId < 0)
            throw new ArgumentOutOfRangeException(nameof(computeUnitId), computeUnitId, "compute-unit id must be non-negative");
        if (duration.Picoseconds < 0)
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "duration must be non-negative");
        return AddTask(TaskKind.Compute, computeUnitId, duration.Picoseconds, label, null);
    }

    /// <summary>
    /// Adds a task moving <paramref name="bytes"/> (≥ 0) over <paramref name="route"/> (link
    /// indices of network <paramref name="networkId"/>, ≥ 0; copied into the graph's shared
    /// route buffer); returns its id. It lasts as long as the flow does, latency included.
    /// </summary>
    public int AddTransfer(int networkId, long bytes, ReadOnlySpan<int> route, string? label = null)
    {
        if (networkId < 0)
            throw new ArgumentOutOfRangeException(nameof(networkId), networkId, "network id must be non-negative");
        if (bytes < 0)
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, "transfer size must be non-negative");
        foreach (int link in route)
        {
            if (link < 0)
                throw new ArgumentOutOfRangeException(nameof(route), link, "link indices must be non-negative");
        }
        EnsureMutable();
        if (_routeLength + route.Length > _routes.Length)
            Array.Resize(ref _routes, Math.Max(_routeLength + route.Length, _routes.Length * 2));
        int start = _routeLength;
        route.CopyTo(_routes.AsSpan(start));
        _routeLength += route.Length;
        int id = AddTask(TaskKind.Transfer, networkId, bytes, label, null);
        _routeStarts[id] = start;
        _routeLengths[id] = route.Length;
        return id;
    }

    /// <summary>Adds a task that waits <paramref name="delay"/> (≥ 0) and uses no resource; returns its id. A zero delay finishes without advancing time.</summary>
    public int AddDelay(SimTime delay, string? label = null)
    {
        if (delay.Picoseconds < 0)
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "delay must be non-negative");
        return AddTask(TaskKind.Delay, -1, delay.Picoseconds, label, null);
    }

    /// <summary>Adds a zero-duration barrier that finishes when all its predecessors have; returns its id.</summary>
    public int AddJoin(string? label = null) => AddTask(TaskKind.Join, -1, 0, label, null);

    /// <summary>Adds a task started by <paramref name="starter"/> with <paramref name="argument"/> (any value, passed back to the starter); returns its id.</summary>
    public int AddExternal(IExternalTaskStarter starter, long argument = 0, string? label = null)
    {
        ArgumentNullException.ThrowIfNull(starter);
        return AddTask(TaskKind.External, -1, argument, label, starter);
    }

    /// <summary>Makes task <paramref name="after"/> wait for task <paramref name="before"/> to finish (both existing ids, different).</summary>
    public void AddDependency(int before, int after)
    {
        if ((uint)before >= (uint)_count)
            throw new ArgumentOutOfRangeException(nameof(before), before, $"no task with id {before} (the graph has {_count})");
        if ((uint)after >= (uint)_count)
            throw new ArgumentOutOfRangeException(nameof(after), after, $"no task with id {after} (the graph has {_count})");
        if (before == after)
            throw new ArgumentException($"task {before} cannot depend on itself", nameof(after));
        EnsureMutable();
        if (_edgeCount == _edgeFrom.Length)
        {
            Array.Resize(ref _edgeFrom, _edgeCount * 2);
            Array.Resize(ref _edgeTo, _edgeCount * 2);
        }
        _edgeFrom[_edgeCount] = before;
        _edgeTo[_edgeCount] = after;
        _edgeCount++;
        _predecessorCounts[after]++;
        _topologyCurrent = false;
    }

    /// <summary>Removes every task and dependency, keeping the arrays for reuse.</summary>
    public void Clear()
    {
        EnsureMutable();
        // Drop references so a cleared graph does not keep labels or starters alive.
        Array.Clear(_labels, 0, _count);
        Array.Clear(_starters, 0, _count);
        _count = 0;
        _edgeCount = 0;
        _routeLength = 0;
        _topologyCurrent = false;
    }

    /// <summary>Kind of task <paramref name="taskId"/>.</summary>
    public TaskKind KindOf(int taskId) => _kinds[CheckId(taskId)];

    /// <summary>Label of task <paramref name="taskId"/>, or null when it has none.</summary>
    public string? LabelOf(int taskId) => _labels[CheckId(taskId)];

    /// <summary>Compute-unit id (compute tasks) or network id (transfer tasks) of <paramref name="taskId"/>; -1 for other kinds.</summary>
    public int ResourceIdOf(int taskId) => _resourceIds[CheckId(taskId)];

    /// <summary>Duration of a compute or delay task (0 for other kinds).</summary>
    public SimTime DurationOf(int taskId)
    {
        var kind = _kinds[CheckId(taskId)];
        return kind is TaskKind.Compute or TaskKind.Delay ? new SimTime(_amounts[taskId]) : SimTime.Zero;
    }

    /// <summary>Bytes of a transfer task (0 for other kinds).</summary>
    public long BytesOf(int taskId) => _kinds[CheckId(taskId)] == TaskKind.Transfer ? _amounts[taskId] : 0;

    /// <summary>Route (link indices) of a transfer task; empty for other kinds. Valid until the graph changes.</summary>
    public ReadOnlySpan<int> RouteOf(int taskId) => _routes.AsSpan(_routeStarts[CheckId(taskId)], _routeLengths[taskId]);

    /// <summary>Number of dependencies ending at task <paramref name="taskId"/> (duplicates counted).</summary>
    public int PredecessorCountOf(int taskId) => _predecessorCounts[CheckId(taskId)];

    // --- executor side -------------------------------------------------------------------

    internal ReadOnlySpan<int> PredecessorCounts => _predecessorCounts.AsSpan(0, _count);

    internal TaskKind KindAt(int taskId) => _kinds[taskId];

    internal int ResourceAt(int taskId) => _resourceIds[taskId];

    internal long AmountAt(int taskId) => _amounts[taskId];

    internal string? LabelAt(int taskId) => _labels[taskId];

    internal IExternalTaskStarter StarterAt(int taskId) => _starters[taskId]!;

    internal ReadOnlySpan<int> RouteAt(int taskId) => _routes.AsSpan(_routeStarts[taskId], _routeLengths[taskId]);

    internal ReadOnlySpan<int> SuccessorsOf(int taskId) => _topology.SuccessorsOf(taskId);

    /// <summary>
    /// Builds the successor lists (sorted by id) and checks for cycles, only when the graph
    /// changed since the last run, then marks the graph as running so it cannot change.
    /// </summary>
    internal void BeginRun()
    {
        if (!_topologyCurrent)
        {
            _topology.Build(_count, _edgeFrom, _edgeTo, _edgeCount, _predecessorCounts, _labels);
            _topologyCurrent = true;
        }
        _activeRuns++;
    }

    internal void EndRun() => _activeRuns--;

    private int AddTask(TaskKind kind, int resourceId, long amount, string? label, IExternalTaskStarter? starter)
    {
        EnsureMutable();
        if (_count == _kinds.Length)
            Grow();
        int id = _count++;
        _kinds[id] = kind;
        _resourceIds[id] = resourceId;
        _amounts[id] = amount;
        _routeStarts[id] = 0;
        _routeLengths[id] = 0;
        _labels[id] = label;
        _starters[id] = starter;
        _predecessorCounts[id] = 0;
        _topologyCurrent = false;
        return id;
    }

    private void Grow()
    {
        int size = _kinds.Length * 2;
        Array.Resize(ref _kinds, size);
        Array.Resize(ref _resourceIds, size);
        Array.Resize(ref _amounts, size);
        Array.Resize(ref _routeStarts, size);
        Array.Resize(ref _routeLengths, size);
        Array.Resize(ref _labels, size);
        Array.Resize(ref _starters, size);
        Array.Resize(ref _predecessorCounts, size);
    }

    private void EnsureMutable()
    {
        if (_activeRuns > 0)
            throw new InvalidOperationException("the task graph is being run; it cannot change until the run finishes");
    }

    private int CheckId(int taskId)
    {
        if ((uint)taskId >= (uint)_count)
            throw new ArgumentOutOfRangeException(nameof(taskId), taskId, $"no task with id {taskId} (the graph has {_count})");
        return taskId;
    }
}
