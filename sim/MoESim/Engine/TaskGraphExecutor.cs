using MoESim.Units;

namespace MoESim.Engine;

/// <summary>
/// Runs a <see cref="TaskGraph"/> on the compute units and flow networks of a
/// <see cref="ResourceSet"/>. Every task with no predecessors starts when <see cref="Run"/> is
/// called; a task starts the instant its last predecessor finishes, tasks released at one
/// instant start in id order (so runs are deterministic), and zero-duration tasks finish
/// without advancing time. Per-task ready, start and end times stay readable after the run.
/// One run at a time per executor; several executors may share resources. Steady-state runs
/// allocate nothing: per-task arrays are pooled and events carry (kind, task id, run id).
/// </summary>
public sealed partial class TaskGraphExecutor : IEventTarget
{
    /// <summary>
    /// Event kind meaning "task arg0 of run arg1 finished". Resources report through it, and so
    /// may external code: an event (this kind, taskId, <see cref="RunId"/>) sent to the executor
    /// finishes an external task exactly like <see cref="Complete"/>.
    /// </summary>
    public const int TaskCompletedEventKind = 0;

    private const long NotYet = -1;

    private readonly ResourceSet _resources;
    private readonly Simulator _sim;
    private TaskGraph? _graph;
    private IEventTarget? _onDone;
    private int _onDoneKind;
    private long _onDoneArg0;
    private int[] _remainingPredecessors = [];
    private long[] _readyAtPicoseconds = [];
    private long[] _startAtPicoseconds = [];
    private long[] _endAtPicoseconds = [];
    // Tasks finished at the current instant and not yet processed, first in first out. Each
    // task enters once per run, so task-count slots suffice; a queue rather than a recursive
    // call keeps a long chain of joins off the stack.
    private int[] _finishQueue = [];
    private int _queueHead;
    private int _queueTail;
    private bool _draining;
    private int _taskCount;
    private int _finishedCount;
    private long _runStartPicoseconds;
    private long _runEndPicoseconds;

    /// <summary>Creates an executor running tasks on <paramref name="resources"/>.</summary>
    public TaskGraphExecutor(ResourceSet resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        _resources = resources;
        _sim = resources.Simulator;
    }

    /// <summary>Creates an executor on <paramref name="sim"/> whose compute-unit ids and network ids index <paramref name="computeUnits"/> and <paramref name="networks"/>.</summary>
    public TaskGraphExecutor(Simulator sim, IEnumerable<ComputeUnit> computeUnits, IEnumerable<FlowNetwork> networks)
        : this(new ResourceSet(sim, computeUnits, networks))
    {
    }

    /// <summary>The resources tasks run on.</summary>
    public ResourceSet Resources => _resources;

    /// <summary>True from <see cref="Run"/> until the run's last task finishes.</summary>
    public bool IsRunning { get; private set; }

    /// <summary>Serial number of the current or latest run (1, 2, ...; 0 before the first).</summary>
    public long RunId { get; private set; }

    /// <summary>Runs that finished every task.</summary>
    public long RunsCompleted { get; private set; }

    /// <summary>Tasks in the current or latest run's graph.</summary>
    public int TaskCount => _taskCount;

    /// <summary>Tasks of the current or latest run that have finished (0 to <see cref="TaskCount"/>).</summary>
    public int TasksFinished => _finishedCount;

    /// <summary>When the current or latest run started.</summary>
    public SimTime RunStart => new(_runStartPicoseconds);

    /// <summary>Time from the start of the latest finished run to its last task's end (≥ 0); throws while a run is going on.</summary>
    public SimTime Makespan
    {
        get
        {
            if (IsRunning || RunId == 0)
                throw new InvalidOperationException(IsRunning ? "the run has not finished yet" : "nothing has run yet");
            return new SimTime(_runEndPicoseconds - _runStartPicoseconds);
        }
    }

    /// <summary>When task <paramref name="taskId"/> of the current or latest run had all its predecessors finished (absolute time).</summary>
    public SimTime TaskReady(int taskId) => Read(_readyAtPicoseconds, taskId, "become ready");

    /// <summary>
    /// When task <paramref name="taskId"/> began using its resource (absolute time): for a compute
    /// task, once a stream of its unit was free (≥ <see cref="TaskReady"/>); for other kinds, when
    /// it became ready (a transfer's route latency counts as part of the task).
    /// </summary>
    public SimTime TaskStart(int taskId) => Read(_startAtPicoseconds, taskId, "started");

    /// <summary>When task <paramref name="taskId"/> of the current or latest run finished (absolute time).</summary>
    public SimTime TaskEnd(int taskId) => Read(_endAtPicoseconds, taskId, "finished");

    /// <summary>
    /// Starts running <paramref name="graph"/> at <see cref="Simulator.Now"/>. When its last task
    /// finishes, <paramref name="onDone"/> (if not null) receives (<paramref name="kind"/>,
    /// <paramref name="a0"/>, <see cref="RunId"/>) at that instant; an empty graph finishes at once.
    /// Throws before starting anything when the graph has a cycle, refers to a resource the set
    /// lacks, or this executor is already running.
    /// </summary>
    public void Run(TaskGraph graph, IEventTarget? onDone, int kind, long a0 = 0)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (IsRunning)
            throw new InvalidOperationException($"executor is still running run {RunId} ({_finishedCount} of {_taskCount} tasks finished)");
        CheckResources(graph);
        graph.BeginRun(); // builds successor lists; throws on a cycle, before any state changes

        int n = graph.TaskCount;
        EnsureCapacity(n);
        _graph = graph;
        _onDone = onDone;
        _onDoneKind = kind;
        _onDoneArg0 = a0;
        _taskCount = n;
        _finishedCount = 0;
        _queueHead = 0;
        _queueTail = 0;
        RunId++;
        IsRunning = true;
        _runStartPicoseconds = _sim.Now.Picoseconds;
        graph.PredecessorCounts.CopyTo(_remainingPredecessors);
        _readyAtPicoseconds.AsSpan(0, n).Fill(NotYet);
        _startAtPicoseconds.AsSpan(0, n).Fill(NotYet);
        _endAtPicoseconds.AsSpan(0, n).Fill(NotYet);

        if (n == 0)
        {
            FinishRun();
            return;
        }
        // Hold back zero-duration finishes until every root has started, so all roots start
        // in id order before any task they release.
        _draining = true;
        try
        {
            for (int t = 0; t < n; t++)
            {
                if (_remainingPredecessors[t] == 0)
                    StartTask(graph, t);
            }
        }
        finally
        {
            _draining = false;
        }
        Drain();
    }

    /// <summary>
    /// Finishes external task <paramref name="taskId"/> of the current run at
    /// <see cref="Simulator.Now"/>; it must have started and not yet finished. Its successors start
    /// at once.
    /// </summary>
    public void Complete(int taskId)
    {
        var graph = CheckRunningTask(taskId);
        if (graph.KindAt(taskId) != TaskKind.External)
            throw new InvalidOperationException($"task {taskId} is a {graph.KindAt(taskId)} task; only external tasks are completed by callers");
        Finished(graph, taskId);
    }

    void IEventTarget.OnEvent(Simulator sim, int kind, long arg0, long arg1)
    {
        if (kind != TaskCompletedEventKind)
            throw new InvalidOperationException($"task graph executor: unknown event kind {kind}");
        if (!IsRunning || arg1 != RunId)
            throw new InvalidOperationException($"task graph executor: completion of task {arg0} for run {arg1} arrived while {(IsRunning ? $"run {RunId} is going on" : "no run is going on")}");
        int taskId = (int)arg0;
        Finished(CheckRunningTask(taskId), taskId);
    }

    private void StartTask(TaskGraph graph, int t)
    {
        long now = _sim.Now.Picoseconds;
        _readyAtPicoseconds[t] = now;
        _startAtPicoseconds[t] = now;
        long amount = graph.AmountAt(t);
        switch (graph.KindAt(t))
        {
            case TaskKind.Compute:
                var end = _resources.ComputeUnitAt(graph.ResourceAt(t))
                    .Submit(new SimTime(amount), this, TaskCompletedEventKind, t, RunId, graph.LabelAt(t));
                // The unit queues the job behind busy streams; its real start is end − duration.
                _startAtPicoseconds[t] = end.Picoseconds - amount;
                break;
            case TaskKind.Transfer:
                _resources.NetworkAt(graph.ResourceAt(t))
                    .StartFlow(amount, graph.RouteAt(t), this, TaskCompletedEventKind, t, RunId, graph.LabelAt(t));
                break;
            case TaskKind.Delay:
                if (amount == 0)
                    Finished(graph, t);
                else
                    _sim.Schedule(new SimTime(SimTime.AddPicoseconds(now, amount)), this, TaskCompletedEventKind, t, RunId);
                break;
            case TaskKind.Join:
                Finished(graph, t);
                break;
            case TaskKind.External:
                graph.StarterAt(t).Start(t, amount, this);
                break;
            default:
                throw new InvalidOperationException($"task {t} has unknown kind {graph.KindAt(t)}");
        }
    }

    // Records the end and queues the task; successors are released by Drain, outside any
    // resource or starter call that is still on the stack.
    private void Finished(TaskGraph graph, int t)
    {
        _endAtPicoseconds[t] = _sim.Now.Picoseconds;
        _finishQueue[_queueTail++] = t;
        Drain();
    }

    private void Drain()
    {
        if (_draining)
            return;
        _draining = true;
        try
        {
            var graph = _graph!;
            while (_queueHead < _queueTail)
            {
                int t = _finishQueue[_queueHead++];
                _finishedCount++;
                foreach (int s in graph.SuccessorsOf(t))
                {
                    if (--_remainingPredecessors[s] == 0)
                        StartTask(graph, s);
                }
                if (_finishedCount == _taskCount)
                    FinishRun();
            }
        }
        finally
        {
            _draining = false;
        }
    }

    private void FinishRun()
    {
        _runEndPicoseconds = _sim.Now.Picoseconds;
        IsRunning = false;
        RunsCompleted++;
        _graph!.EndRun();
        // Through the queue, so the caller's handler runs after this executor's state is settled
        // and may start the next run at once.
        if (_onDone is not null)
            _sim.Schedule(_sim.Now, _onDone, _onDoneKind, _onDoneArg0, RunId);
        _onDone = null;
    }

    private void EnsureCapacity(int n)
    {
        if (_remainingPredecessors.Length >= n)
            return;
        int size = Math.Max(n, 2 * _remainingPredecessors.Length);
        _remainingPredecessors = new int[size];
        _readyAtPicoseconds = new long[size];
        _startAtPicoseconds = new long[size];
        _endAtPicoseconds = new long[size];
        _finishQueue = new int[size];
    }
}
