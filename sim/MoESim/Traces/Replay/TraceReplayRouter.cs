using MoESim.Config;
using MoESim.Traces.Formats;

namespace MoESim.Traces.Replay;

/// <summary>
/// Replays an expert-selection trace as the routing source of a simulation, streamed: one pass
/// at open builds a small index (per trace request: first step's file position and token
/// counts), then requests are decoded on demand into an LRU cache bounded by a selection budget.
/// A decode holds only the leading tokens of each phase that the simulated requests replaying
/// it can reach (from their prompt and output lengths, <see cref="ReplayNeed"/>) and stops
/// reading there; a slice reaching further (not expected) triggers a full decode.
/// For a binary trace with ≤ 64 experts, the index pass (<see cref="ReplayIndexScan"/>) also
/// checks every id and keeps a <see cref="ReplayRoutingSummary"/>, from which
/// <see cref="RouteDistinct"/> (all a single-device <c>simulate</c> asks for) ORs expert bit masks
/// instead of decoding requests; only slices the summary cannot answer go token by token.
/// </summary>
/// <remarks>
/// Mapping (documented in traces/README.md): simulated request i (0-based, arrival order)
/// replays the (i mod N)-th distinct request of the trace, N trace requests in order of first
/// appearance. A simulated prompt token at position p replays the trace request's prefill token
/// p mod P (P its prefill tokens); the d-th generated token (position prompt + d) replays its
/// decode token d mod D. A trace request with no tokens of the needed phase lends the other
/// phase's token at position p mod its count. Deterministic: no randomness.
/// </remarks>
public sealed class TraceReplayRouter : IRoutingSource, IDisposable
{
    /// <summary>Default cache budget: 32 M selections (32 MB at ≤ 256 experts, 64 MB above).</summary>
    public const long DefaultCacheSelections = 32L << 20;

    /// <summary>
    /// Most bytes a <see cref="ReplayRoutingSummary"/> may hold (256 MiB: 8 M decode tokens of
    /// a 32-layer, 8-expert model); a bigger trace counts distinct experts through the decode cache.
    /// </summary>
    public const long SummaryBudgetBytes = 256L << 20;

    private readonly ISeekableTraceReader _reader;
    private readonly ReplayIndexEntry[] _index;
    private readonly int[] _promptTokens;
    private readonly ReplayRequestCache _cache;
    private readonly Func<int, ReplayRequest> _decode;
    private readonly Func<int, ReplayRequest> _decodeFull;
    private readonly int[] _needPrefill;
    private readonly int[] _needDecode;
    private readonly RoutingStep _step = new();
    private readonly int[] _seen;
    private readonly ReplayRoutingSummary? _summary;
    private readonly byte[] _masks;
    private ReplayRequest[] _resolved = new ReplayRequest[64];
    private int _serial;

    private TraceReplayRouter(ISeekableTraceReader reader, ReplayIndexEntry[] index, ReplayRoutingSummary? summary, IReadOnlyList<Request> requests, long cacheSelections)
    {
        _reader = reader;
        _promptTokens = new int[requests.Count];
        for (var i = 0; i < requests.Count; i++) _promptTokens[i] = requests[i].PromptTokens;
        _index = index;
        _summary = summary;
        _masks = new byte[Shape.NumMoeLayers * (summary?.MaskBytes ?? 0)];
        _cache = new ReplayRequestCache(_index.Length, cacheSelections);
        (_needPrefill, _needDecode) = ReplayNeed.Compute(_index, requests);
        _decode = index => Decode(index, _needPrefill[index], _needDecode[index]);
        _decodeFull = index => Decode(index, _index[index].PrefillTokens, _index[index].DecodeTokens);
        _seen = new int[Shape.NumMoeLayers * Shape.NumExperts];
    }

    /// <summary>
    /// Opens <paramref name="path"/> for replay on a model of the given shape; a different shape
    /// is an <see cref="InputException"/> naming the file and both shapes.
    /// </summary>
    public static TraceReplayRouter Open(string path, string modelName, int numMoeLayers, int numExperts, int topK,
        IReadOnlyList<Request> requests, long cacheSelections = DefaultCacheSelections)
    {
        var reader = RoutingTraceFiles.OpenReader(path);
        try
        {
            var shape = reader.Shape;
            if (!shape.Matches(numMoeLayers, numExperts, topK))
                throw new InputException(path, "shape",
                    $"the trace is {shape.Describe()}{(shape.ModelName.Length > 0 ? $" (recorded for {shape.ModelName})" : "")}; model {modelName} is {numMoeLayers} MoE layers x {numExperts} experts, top-{topK}");
            if (reader is MoeTraceReader binary && shape.NumExperts <= 64)
            {
                var (index, summary) = ReplayIndexScan.Run(path, binary.Header, SummaryBudgetBytes);
                return new TraceReplayRouter(reader, index, summary, requests, cacheSelections);
            }
            return new TraceReplayRouter(reader, BuildIndex(reader), null, requests, cacheSelections);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>Shape of the replayed trace.</summary>
    public TraceShape Shape => _reader.Shape;
    /// <summary>Distinct requests in the trace.</summary>
    public int TraceRequests => _index.Length;
    /// <summary>Trace requests decoded so far (cache misses).</summary>
    public long Decodes => _cache.Misses;

    public int NumMoeLayers => Shape.NumMoeLayers;
    public int NumExperts => Shape.NumExperts;
    public int TopK => Shape.TopK;
    public string Description => $"trace replay of {Path.GetFileName(_reader.Path)} ({_index.Length} trace requests, {Shape.Describe()})";

    private static ReplayIndexEntry[] BuildIndex(ISeekableTraceReader reader)
    {
        var byId = new Dictionary<int, int>();
        var entries = new List<ReplayIndexEntry>();
        var step = new RoutingStep();
        while (true)
        {
            var position = reader.Position;
            var more = reader is MoeTraceReader binary ? binary.TryReadHeaderOnly(step) : reader.TryRead(step);
            if (!more) break;
            if (!byId.TryGetValue(step.RequestId, out var i))
            {
                i = entries.Count;
                byId[step.RequestId] = i;
                entries.Add(new ReplayIndexEntry(step.RequestId, position, 0, 0, 0));
            }
            var e = entries[i];
            entries[i] = step.IsPrefill
                ? e with { Steps = e.Steps + 1, PrefillTokens = checked(e.PrefillTokens + step.TokenCount) }
                : e with { Steps = e.Steps + 1, DecodeTokens = checked(e.DecodeTokens + step.TokenCount) };
        }
        if (entries.Count == 0) throw new InputException(reader.Path, "", "the trace has no steps: nothing to replay");
        return entries.ToArray();
    }

    /// <summary>
    /// Decodes trace request <paramref name="index"/>, holding its first <paramref name="storedPrefill"/>
    /// prefill and <paramref name="storedDecode"/> decode tokens; reading stops once both are filled.
    /// </summary>
    private ReplayRequest Decode(int index, int storedPrefill, int storedDecode)
    {
        var entry = _index[index];
        var request = new ReplayRequest(entry.PrefillTokens, entry.DecodeTokens, storedPrefill, storedDecode, NumMoeLayers, NumExperts, TopK);
        _reader.Seek(entry.FirstStep);
        int prefill = 0, decode = 0, steps = 0;
        while (steps < entry.Steps && (prefill < storedPrefill || decode < storedDecode) && _reader.TryRead(_step))
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

    /// <summary>Decoded trace routing for every slice of the batch, in slice order.</summary>
    private Span<ReplayRequest> Resolve(RoutingBatch batch)
    {
        var slices = batch.Slices;
        if (_resolved.Length < slices.Length) _resolved = new ReplayRequest[Math.Max(slices.Length, _resolved.Length * 2)];
        for (var s = 0; s < slices.Length; s++) _resolved[s] = Resolve(slices[s]);
        return _resolved.AsSpan(0, slices.Length);
    }

    /// <summary>Decoded trace routing for one slice: the cached decode, or a full one when a partial decode falls short.</summary>
    private ReplayRequest Resolve(in SequenceSlice slice)
    {
        var index = slice.RequestId % _index.Length;
        var request = _cache.Get(index, _decode);
        if (!request.Complete && !Covers(request, slice))
        {
            _cache.Drop(index);
            request = _cache.Get(index, _decodeFull);
        }
        return request;
    }

    /// <summary>Whether a partly decoded request holds every token the slice replays.</summary>
    private bool Covers(ReplayRequest request, in SequenceSlice slice)
    {
        var first = slice.FirstTokenIndex;
        var last = first + slice.TokenCount - 1;
        var prompt = slice.RequestId < _promptTokens.Length ? _promptTokens[slice.RequestId] : 0;
        return request.Covers(slice.IsPrefill, first, last, Math.Max(0, first - prompt), Math.Max(0, last - prompt));
    }

    private ReplayToken TokenIds(ReplayRequest request, in SequenceSlice slice, int t)
    {
        var position = slice.FirstTokenIndex + t;
        var prompt = slice.RequestId < _promptTokens.Length ? _promptTokens[slice.RequestId] : 0;
        return request.Token(slice.IsPrefill, position, Math.Max(0, position - prompt));
    }

    public void Route(RoutingBatch batch, Span<int> expertTokenCounts, Span<int> distinctExperts)
    {
        var resolved = Resolve(batch);
        var slices = batch.Slices;
        int experts = NumExperts, k = TopK, layers = NumMoeLayers;
        expertTokenCounts[..(layers * experts)].Clear();
        for (var s = 0; s < slices.Length; s++)
            for (var t = 0; t < slices[s].TokenCount; t++)
            {
                var token = TokenIds(resolved[s], slices[s], t);
                for (var layer = 0; layer < layers; layer++)
                {
                    var counts = expertTokenCounts.Slice(layer * experts, experts);
                    for (var j = 0; j < k; j++) counts[token.Id(layer, k, j)]++;
                }
            }
        for (var layer = 0; layer < layers; layer++)
        {
            var distinct = 0;
            foreach (var c in expertTokenCounts.Slice(layer * experts, experts)) if (c > 0) distinct++;
            distinctExperts[layer] = distinct;
        }
    }

    /// <summary>
    /// Distinct experts per layer: with a summary, the OR of each slice's per-layer expert masks
    /// and a population count; otherwise <see cref="RouteDistinctByTokens"/>.
    /// </summary>
    public void RouteDistinct(RoutingBatch batch, Span<int> distinctExperts)
    {
        if (_summary is not { } summary)
        {
            RouteDistinctByTokens(batch, distinctExperts);
            return;
        }
        var masks = _masks.AsSpan();
        masks.Clear();
        foreach (ref readonly var slice in batch.Slices)
        {
            var index = slice.RequestId % _index.Length;
            ref readonly var entry = ref _index[index];
            if (slice.IsPrefill ? entry.PrefillTokens > 0 : entry.DecodeTokens == 0)
            {
                // Prefill tokens at positions mod P (a decode token borrowing one is a one-token range).
                if (!summary.TryOrPrefill(index, entry.PrefillTokens, slice.FirstTokenIndex, slice.TokenCount, masks)) OrByTokens(slice, masks);
                continue;
            }
            var prompt = slice.RequestId < _promptTokens.Length ? _promptTokens[slice.RequestId] : 0;
            // A prefill slice borrowing decode tokens walks consecutive ordinals: D of them cover all.
            var tokens = slice.IsPrefill ? Math.Min(slice.TokenCount, entry.DecodeTokens) : slice.TokenCount;
            for (var t = 0; t < tokens; t++)
            {
                var position = slice.FirstTokenIndex + t;
                summary.OrDecode(index, (slice.IsPrefill ? position : Math.Max(0, position - prompt)) % entry.DecodeTokens, masks);
            }
        }
        ExpertMaskKernels.PopCounts(masks, summary.MaskBytes, distinctExperts[..NumMoeLayers]);
    }

    /// <summary>ORs a slice's experts into <paramref name="masks"/> token by token from its decoded request.</summary>
    private void OrByTokens(in SequenceSlice slice, Span<byte> masks)
    {
        var request = Resolve(slice);
        int k = TopK, layers = NumMoeLayers, bytes = _summary!.MaskBytes;
        for (var t = 0; t < slice.TokenCount; t++)
        {
            var token = TokenIds(request, slice, t);
            for (var layer = 0; layer < layers; layer++)
                for (var j = 0; j < k; j++) ExpertMaskKernels.Set(masks.Slice(layer * bytes, bytes), token.Id(layer, k, j));
        }
    }

    /// <summary>
    /// Distinct experts per layer, token by token over all layers; the scan stops once every
    /// layer has all its experts active, which makes big batches cheap (the answer is then
    /// simply the expert count).
    /// </summary>
    private void RouteDistinctByTokens(RoutingBatch batch, Span<int> distinctExperts)
    {
        var resolved = Resolve(batch);
        var slices = batch.Slices;
        int experts = NumExperts, k = TopK, layers = NumMoeLayers;
        if (++_serial == int.MaxValue)
        {
            Array.Clear(_seen);
            _serial = 1;
        }
        var serial = _serial;
        var seen = _seen.AsSpan();
        var distinct = distinctExperts[..layers];
        distinct.Clear();
        var open = layers; // layers with an expert not yet seen
        for (var s = 0; s < slices.Length && open > 0; s++)
            for (var t = 0; t < slices[s].TokenCount && open > 0; t++)
            {
                var token = TokenIds(resolved[s], slices[s], t);
                for (var layer = 0; layer < layers; layer++)
                {
                    if (distinct[layer] == experts) continue;
                    var layerSeen = seen.Slice(layer * experts, experts);
                    for (var j = 0; j < k; j++)
                    {
                        ref var mark = ref layerSeen[token.Id(layer, k, j)];
                        if (mark == serial) continue;
                        mark = serial;
                        if (++distinct[layer] == experts) open--;
                    }
                }
            }
    }

    public void RouteTokens(RoutingBatch batch, Span<int> expertIds)
    {
        var resolved = Resolve(batch);
        var slices = batch.Slices;
        var tokens = checked((int)batch.Tokens);
        int k = TopK, token = 0;
        for (var s = 0; s < slices.Length; s++)
            for (var t = 0; t < slices[s].TokenCount; t++, token++)
            {
                var ids = TokenIds(resolved[s], slices[s], t);
                for (var layer = 0; layer < NumMoeLayers; layer++)
                {
                    var target = expertIds.Slice((layer * tokens + token) * k, k);
                    for (var j = 0; j < k; j++) target[j] = ids.Id(layer, k, j);
                }
            }
    }

    public void Dispose()
    {
        _reader.Dispose();
        _summary?.Dispose();
    }
}
