using System.Runtime.ExceptionServices;

namespace MoESim.Traces.Replay;

/// <summary>
/// Work queued to the thread pool whose result whoever needs it first computes: a pool thread
/// if one gets there first (the work then overlaps the caller's), otherwise the caller itself
/// when it asks for the result. So the caller never waits for a pool thread to be scheduled,
/// which on a busy machine can take milliseconds per hand-over; it waits only for work already
/// running.
/// </summary>
internal sealed class PrefetchedWork<T> : IThreadPoolWorkItem
{
    private const int Pending = 0, Running = 1, Done = 2;
    private readonly Func<T> _work;
    private readonly object _gate = new();
    private int _state;
    private T? _result;
    private ExceptionDispatchInfo? _error;

    private PrefetchedWork(Func<T> work) => _work = work;

    /// <summary>Queues <paramref name="work"/> to the thread pool.</summary>
    public static PrefetchedWork<T> Start(Func<T> work)
    {
        var item = new PrefetchedWork<T>(work);
        ThreadPool.UnsafeQueueUserWorkItem(item, preferLocal: false);
        return item;
    }

    void IThreadPoolWorkItem.Execute()
    {
        if (Interlocked.CompareExchange(ref _state, Running, Pending) == Pending) Run();
    }

    /// <summary>The work's result (its exception rethrown), computed here if no pool thread has started it.</summary>
    public T Result()
    {
        if (Interlocked.CompareExchange(ref _state, Running, Pending) == Pending) Run();
        else WaitUntilDone();
        _error?.Throw();
        return _result!;
    }

    /// <summary>Makes sure the work neither runs nor is running any more (skips it if not started).</summary>
    public void Abandon()
    {
        if (Interlocked.CompareExchange(ref _state, Done, Pending) != Pending) WaitUntilDone();
    }

    private void Run()
    {
        try
        {
            _result = _work();
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

    private void WaitUntilDone()
    {
        lock (_gate)
            while (Volatile.Read(ref _state) != Done) Monitor.Wait(_gate);
    }
}
