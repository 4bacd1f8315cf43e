using MoESim.Cost;
using MoESim.Engine;
using MoESim.Results;
using MoESim.Traces;

namespace MoESim.Serving.Scheduling;

/// <summary>
/// Continuous batching with chunked prefill (Sarathi/vLLM v1 style): every running sequence that
/// has its prompt done decodes one token per pass; the rest of the token budget goes to prompt
/// chunks, unfinished prompts first, then new requests in arrival order. A request is admitted
/// only when the KV cache can hold its prompt plus its whole output (reserved up front, so no
/// preemption is needed); otherwise it and everything behind it waits.
/// </summary>
public sealed class ContinuousBatchScheduler : IBatchScheduler
{
    private readonly IReadOnlyList<Request> _requests;
    private readonly ServingConfig _config;
    private readonly MemoryPool _kv;
    private readonly long _kvBytesPerToken;
    private readonly Queue<int> _waiting = new();
    private readonly List<int> _running = new();
    private readonly List<int> _inBatch = new();
    private readonly int[] _prefilled;
    private readonly int[] _generated;
    private readonly int[] _chunk;          // prompt tokens scheduled in the current pass; 0 = decode
    private readonly long[] _reserved;

    public ContinuousBatchScheduler(IReadOnlyList<Request> requests, ServingConfig config, MemoryPool kvCache, double kvBytesPerToken)
    {
        _requests = requests;
        _config = config;
        _kv = kvCache;
        _kvBytesPerToken = (long)Math.Ceiling(kvBytesPerToken);
        _prefilled = new int[requests.Count];
        _generated = new int[requests.Count];
        _chunk = new int[requests.Count];
        _reserved = new long[requests.Count];
        FirstToken = new long[requests.Count];
        Finish = new long[requests.Count];
    }

    /// <summary>First-token time per request, picoseconds (0 until produced).</summary>
    public long[] FirstToken { get; }
    /// <summary>Finish time per request, picoseconds (0 until finished).</summary>
    public long[] Finish { get; }
    public int FinishedCount { get; private set; }
    public int RunningCount => _running.Count;
    public bool HasWork => _running.Count > 0 || _waiting.Count > 0;

    /// <summary>A request has arrived and waits for admission.</summary>
    public void Enqueue(int requestId)
    {
        var r = _requests[requestId];
        var need = (long)(r.PromptTokens + r.OutputTokens) * _kvBytesPerToken;
        if (need > _kv.CapacityBytes)
            throw new Config.InputException(new Config.InputError("request trace", r.Id + 1, 0, "prompt+output tokens",
                $"request {r.Id} needs {r.PromptTokens + r.OutputTokens} tokens of KV cache, more than the {_kv.CapacityBytes / _kvBytesPerToken} the device holds"));
        _waiting.Enqueue(requestId);
    }

    /// <summary>
    /// Enqueues request <paramref name="id"/> and every later request that has arrived by
    /// <paramref name="now"/> (requests arriving at one instant join one pass); returns the index
    /// of the next request still to arrive, or the request count when none is left.
    /// </summary>
    public int EnqueueArrivals(int id, Units.SimTime now)
    {
        Enqueue(id);
        var next = id + 1;
        while (next < _requests.Count && Units.SimTime.FromSeconds(_requests[next].ArrivalSeconds) <= now)
            Enqueue(next++);
        return next;
    }

    /// <summary>Every request's arrival, first-token and finish times so far; <paramref name="lastFinishPicoseconds"/> gets the latest finish.</summary>
    public RequestOutcome[] Outcomes(out long lastFinishPicoseconds)
    {
        var outcomes = new RequestOutcome[_requests.Count];
        lastFinishPicoseconds = 0;
        for (var i = 0; i < _requests.Count; i++)
        {
            var r = _requests[i];
            outcomes[i] = new RequestOutcome(r.Id, Units.SimTime.FromSeconds(r.ArrivalSeconds).Picoseconds, FirstToken[i], Finish[i], r.PromptTokens, r.OutputTokens);
            lastFinishPicoseconds = Math.Max(lastFinishPicoseconds, Finish[i]);
        }
        return outcomes;
    }

    /// <summary>
    /// Forms the next pass into <paramref name="routing"/> and returns its shape; a shape with
    /// no tokens means nothing can run now.
    /// </summary>
    public BatchShape FormBatch(RoutingBatch routing)
    {
        routing.Clear();
        _inBatch.Clear();
        long decodeContext = 0;
        var decodes = 0;
        foreach (var id in _running)
        {
            var r = _requests[id];
            if (_prefilled[id] < r.PromptTokens) continue;
            _chunk[id] = 0;
            _inBatch.Add(id);
            decodes++;
            var position = r.PromptTokens + _generated[id] - 1;
            decodeContext += position + 1;
            routing.Add(new SequenceSlice(id, position, 1, IsPrefill: false));
        }
        var budget = _config.MaxBatchTokens - decodes;
        long prefillTokens = 0, cached = 0;
        double pairs = 0;
        int prefillSeqs = 0, completions = 0;
        void AddChunk(int id, ref int budgetLeft)
        {
            var r = _requests[id];
            var n = Math.Min(r.PromptTokens - _prefilled[id], budgetLeft);
            var c = _prefilled[id];
            _chunk[id] = n;
            _inBatch.Add(id);
            budgetLeft -= n;
            prefillTokens += n;
            cached += c;
            pairs += (double)n * c + n * (n + 1.0) / 2.0;
            prefillSeqs++;
            if (c + n == r.PromptTokens) completions++;
            routing.Add(new SequenceSlice(id, c, n, IsPrefill: true));
        }
        foreach (var id in _running)
        {
            if (budget <= 0) break;
            if (_prefilled[id] < _requests[id].PromptTokens) AddChunk(id, ref budget);
        }
        while (budget > 0 && _waiting.Count > 0 && _running.Count < _config.MaxSequences)
        {
            var id = _waiting.Peek();
            var r = _requests[id];
            var need = (long)(r.PromptTokens + r.OutputTokens) * _kvBytesPerToken;
            if (!_kv.TryAllocate(need)) break;
            _waiting.Dequeue();
            _reserved[id] = need;
            _running.Add(id);
            AddChunk(id, ref budget);
        }
        return new BatchShape
        {
            PrefillTokens = prefillTokens,
            PrefillSequences = prefillSeqs,
            PrefillAttendedPairs = pairs,
            PrefillCachedTokens = cached,
            PrefillCompletions = completions,
            DecodeSequences = decodes,
            DecodeContextTokens = decodeContext,
        };
    }

    /// <summary>Applies the finished pass at <paramref name="nowPicoseconds"/>; returns tokens emitted.</summary>
    public int CompleteBatch(long nowPicoseconds)
    {
        var emitted = 0;
        var anyFinished = false;
        foreach (var id in _inBatch)
        {
            var r = _requests[id];
            if (_chunk[id] > 0)
            {
                _prefilled[id] += _chunk[id];
                _chunk[id] = 0;
                if (_prefilled[id] < r.PromptTokens) continue;
                _generated[id] = 1;
                FirstToken[id] = nowPicoseconds;
            }
            else
            {
                _generated[id]++;
            }
            emitted++;
            if (_generated[id] >= r.OutputTokens)
            {
                Finish[id] = nowPicoseconds;
                _kv.Free(_reserved[id]);
                _reserved[id] = 0;
                FinishedCount++;
                anyFinished = true;
            }
        }
        if (anyFinished)
        {
            // Compact in place, keeping admission order (no delegate allocation per pass).
            var kept = 0;
            for (var i = 0; i < _running.Count; i++)
            {
                var id = _running[i];
                if (_reserved[id] != 0) _running[kept++] = id;
            }
            _running.RemoveRange(kept, _running.Count - kept);
        }
        _inBatch.Clear();
        return emitted;
    }
}
