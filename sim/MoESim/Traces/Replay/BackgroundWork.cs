using System.Runtime.ExceptionServices;

namespace MoESim.Traces.Replay;

/// <summary>
/// Work queued to the thread pool that its owner finishes when it needs it done: if no pool
/// thread has started it by then, <see cref="Finish"/> runs it on the calling thread, so the
/// owner never waits for a pool thread to be scheduled (milliseconds on a busy machine), only
/// for work already running. Replay saves its index file this way while the simulation runs.
/// </summary>
internal sealed class BackgroundWork : IThreadPoolWorkItem
{
    private const int Pending = 0, Running = 1, Done = 2;
    private readonly Action _work;
    private readonly object _gate = new();
    private int _state;
    private ExceptionDispatchInfo? _error;

    private BackgroundWork(Action work) => _work = work;

    /// <summary>Queues <paramref name="work"/> to the thread pool.</summary>
    public static BackgroundWork Start(Action work)
    {
        var item = new BackgroundWork(work);
        ThreadPool.UnsafeQueueUserWorkItem(item, preferLocal: false);
        return item;
    }

    void IThreadPoolWorkItem.Execute()
    {
        if (Interlocked.CompareExchange(ref _state, Running, Pending) == Pending) Run();
    }

    /// <summary>Returns once the work has run (here, if no pool thread started it), rethrowing its exception.</summary>
    public void Finish()
    {
        if (Interlocked.CompareExchange(ref _state, Running, Pending) == Pending) Run();
        else
            lock (_gate)
                while (Volatile.Read(ref _state) != Done) Monitor.Wait(_gate);
        _error?.Throw();
    }

    private void Run()
    {
        try
        {
            _work();
        }
        catch (Exception ex)
        {
            _error = ExceptionDispatchInfo.Capture(ex);
        }
        lock (_gate)
        {
            Volatile.Write(ref _state, Done);
            Monitor.PulseAll(_gate);
        }
    }
}
