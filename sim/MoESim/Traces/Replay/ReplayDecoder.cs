using MoESim.Traces.Formats;

namespace MoESim.Traces.Replay;

/// <summary>
/// Trace requests decoded on demand for token-by-token replay (<see cref="TraceReplayRouter"/>'s
/// Route and RouteTokens, and distinct counts a summary cannot answer): a request is read from its
/// first step (index position) into an LRU cache bounded by a selection budget, holding only the
/// leading tokens of each phase that the simulated requests replaying it can reach
/// (<see cref="ReplayNeed"/>); a slice reaching further (not expected) triggers a full decode.
/// The trace reader is opened at the first decode: a run answered from summaries never needs it.
/// </summary>
internal sealed class ReplayDecoder : IDisposable
{
    private readonly string _path;
    private readonly TraceShape _shape;
    private readonly ReplayIndexEntry[] _index;
    private readonly int[] _promptTokens;
    private readonly int[] _traceIndex; // per simulated request: its trace request (id mod trace requests)
    private readonly ReplayRequestCache _cache;
    private readonly Func<int, ReplayRequest> _decode;
    private readonly Func<int, ReplayRequest> _decodeFull;
    private readonly int[] _needPrefill;
    private readonly int[] _needDecode;
    private readonly RoutingStep _step = new();
    private ISeekableTraceReader? _reader;
    private ReplayRequest[] _resolved = new ReplayRequest[64];

    /// <summary>Decodes from <paramref name="path"/> (with <paramref name="reader"/> already open, or null to open it when first needed).</summary>
    public ReplayDecoder(string path, ISeekableTraceReader? reader, TraceShape shape, ReplayIndexEntry[] index, IReadOnlyList<Request> requests, long cacheSelections)
    {
        _path = path;
        _reader = reader;
        _shape = shape;
        _index = index;
        _promptTokens = new int[requests.Count];
        _traceIndex = new int[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            _promptTokens[i] = requests[i].PromptTokens;
            // By the request's id (its position in the whole arrival stream), not its place in
            // this list: a replica serving every N-th request replays what the unsplit run would.
            _traceIndex[i] = requests[i].Id % index.Length;
        }
        _cache = new ReplayRequestCache(index.Length, cacheSelections);
        (_needPrefill, _needDecode) = ReplayNeed.Compute(index, requests);
        _decode = i => Decode(i, _needPrefill[i], _needDecode[i]);
        _decodeFull = i => Decode(i, _index[i].PrefillTokens, _index[i].DecodeTokens);
    }

    /// <summary>Trace requests decoded so far (cache misses).</summary>
    public long Decodes => _cache.Misses;

    /// <summary>Prompt tokens of simulated request <paramref name="requestId"/> (0 past the request list).</summary>
    public int PromptTokens(int requestId) => requestId < _promptTokens.Length ? _promptTokens[requestId] : 0;

    /// <summary>The trace request (index position) that simulated request <paramref name="requestId"/> replays.</summary>
    public int TraceIndex(int requestId) => requestId < _traceIndex.Length ? _traceIndex[requestId] : requestId % _index.Length;

    /// <summary>Decoded trace routing for every slice of the batch, in slice order.</summary>
    public Span<ReplayRequest> Resolve(RoutingBatch batch)
    {
        var slices = batch.Slices;
        if (_resolved.Length < slices.Length) _resolved = new ReplayRequest[Math.Max(slices.Length, _resolved.Length * 2)];
        for (var s = 0; s < slices.Length; s++) _resolved[s] = Resolve(slices[s]);
        return _resolved.AsSpan(0, slices.Length);
    }

    /// <summary>Decoded trace routing for one slice: the cached decode, or a full one when a partial decode falls short.</summary>
    public ReplayRequest Resolve(in SequenceSlice slice)
    {
        var index = TraceIndex(slice.RequestId);
        var request = _cache.Get(index, _decode);
        if (!request.Complete && !Covers(request, slice))
        {
            _cache.Drop(index);
            request = _cache.Get(index, _decodeFull);
        }
        return request;
    }

    /// <summary>The stored trace token that token <paramref name="t"/> of <paramref name="slice"/> replays.</summary>
    public ReplayToken Token(ReplayRequest request, in SequenceSlice slice, int t)
    {
        var position = slice.FirstTokenIndex + t;
        return request.Token(slice.IsPrefill, position, Math.Max(0, position - PromptTokens(slice.RequestId)));
    }

    /// <summary>Whether a partly decoded request holds every token the slice replays.</summary>
    private bool Covers(ReplayRequest request, in SequenceSlice slice)
    {
        var first = slice.FirstTokenIndex;
        var last = first + slice.TokenCount - 1;
        var prompt = PromptTokens(slice.RequestId);
        return request.Covers(slice.IsPrefill, first, last, Math.Max(0, first - prompt), Math.Max(0, last - prompt));
    }

    /// <summary>
    /// Decodes trace request <paramref name="index"/>, holding its first <paramref name="storedPrefill"/>
    /// prefill and <paramref name="storedDecode"/> decode tokens; reading stops once both are filled.
    /// </summary>
    private ReplayRequest Decode(int index, int storedPrefill, int storedDecode)
    {
        var entry = _index[index];
        var request = new ReplayRequest(entry.PrefillTokens, entry.DecodeTokens, storedPrefill, storedDecode, _shape.NumMoeLayers, _shape.NumExperts, _shape.TopK);
        var reader = _reader ??= RoutingTraceFiles.OpenReader(_path);
        reader.Seek(entry.FirstStep);
        int prefill = 0, decode = 0, steps = 0;
        while (steps < entry.Steps && (prefill < storedPrefill || decode < storedDecode) && reader.TryRead(_step))
        {
            if (_step.RequestId != entry.RequestId) continue; // interleaved requests
            steps++;
            if (_step.IsPrefill)
            {
                request.Fill(_step, prefill);
                prefill += _step.TokenCount;
            }
            else
            {
                request.Fill(_step, decode);
                decode += _step.TokenCount;
            }
        }
        if (prefill < storedPrefill || decode < storedDecode) throw new InvalidOperationException($"trace request {entry.RequestId}: found {steps} of {entry.Steps} steps on replay");
        return request;
    }

    public void Dispose() => _reader?.Dispose();
}
