using MoESim.Cost;
using MoESim.Results;
using MoESim.Traces;

namespace MoESim.Serving.Scheduling;

/// <summary>
/// Decides what the next step of a serving instance processes: which waiting requests are
/// admitted, which prompt chunks and decode tokens form the batch. Implementations: continuous
/// batching with chunked prefill (<see cref="ContinuousBatchScheduler"/>); module-based,
/// prefill-only and decode-only schedulers plug in here.
/// </summary>
public interface IBatchScheduler
{
    /// <summary>Requests finished so far.</summary>
    int FinishedCount { get; }

    /// <summary>Requests admitted (holding KV cache) and not finished.</summary>
    int RunningCount { get; }

    /// <summary>Request <paramref name="requestId"/> has arrived and waits for admission.</summary>
    void Enqueue(int requestId);

    /// <summary>
    /// Enqueues request <paramref name="id"/> and every later request that has arrived by
    /// <paramref name="now"/>; returns the index of the next request still to arrive (the request
    /// count when none is left).
    /// </summary>
    int EnqueueArrivals(int id, Units.SimTime now);

    /// <summary>Forms the next step into <paramref name="routing"/>; a shape with no tokens means nothing can run now.</summary>
    BatchShape FormBatch(RoutingBatch routing);

    /// <summary>Applies the finished step at <paramref name="nowPicoseconds"/>; returns the tokens it emitted.</summary>
    int CompleteBatch(long nowPicoseconds);

    /// <summary>Every request's arrival, first-token and finish times; <paramref name="lastFinishPicoseconds"/> gets the latest finish.</summary>
    RequestOutcome[] Outcomes(out long lastFinishPicoseconds);
}
