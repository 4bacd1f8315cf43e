using MoESim.Config;
using MoESim.Traces.Formats;

namespace MoESim.Traces.Replay;

/// <summary>
/// Replays an expert-selection trace as the routing source of a simulation, streamed: one pass
/// at open builds a small index (per trace request: first step's file position and token
/// counts), then requests are decoded on demand into an LRU cache bounded by a selection budget
/// (<see cref="ReplayDecoder"/>). For a binary trace with ≤ 256 experts the pass
/// (<see cref="ReplayIndexScan"/>) also checks every id and keeps a
/// <see cref="ReplayRoutingSummary"/>, from which <see cref="RouteDistinct"/> (all a single-device
/// <c>simulate</c> asks for) ORs per-layer expert bit masks instead of decoding requests; only
/// slices the summary cannot answer (a prompt chunk strictly inside the prefill) go token by token.
/// </summary>
/// <remarks>
/// Mapping (documented in traces/README.md): the simulated request with id i (0-based position
/// in the arrival stream) replays the (i mod N)-th distinct request of the trace, N trace requests in order of first
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

    /// <summary>
    /// Smallest binary trace whose index pass is saved as <c>TRACE.replay-index</c>: 128 MiB.
    /// Below it the pass costs tens of milliseconds (measured on one core: ~6 ms for a 32 MB
    /// Mixtral trace, ~28 ms for a 58 MB Qwen3 one), less than the process starts in, while
    /// writing the index (~1 ms per MB of index, about a tenth of the trace for narrow masks)
    /// costs a good part of what a later run would save and leaves a file beside every small
    /// trace. An index file that exists is loaded whatever the trace's size.
    /// </summary>
    public const long IndexFileMinTraceBytes = 128L << 20;

    private readonly string _path;
    private readonly ReplayIndexEntry[] _index;
    private readonly ReplayDecoder _decoder;
    private readonly ReplayRoutingSummary? _summary;
    private readonly byte[] _masks;
    private readonly int[] _seen;
    private int _serial;
    private BackgroundWork? _saving;

    private TraceReplayRouter(string path, TraceShape shape, ReplayIndexEntry[] index, ReplayDecoder decoder, ReplayRoutingSummary? summary)
    {
        _path = path;
        Shape = shape;
        _index = index;
        _decoder = decoder;
        _summary = summary;
        _masks = new byte[shape.NumMoeLayers * (summary?.MaskBytes ?? 0)];
        _seen = new int[shape.NumMoeLayers * shape.NumExperts];
    }

    /// <summary>
    /// Opens <paramref name="path"/> for replay on a model of the given shape; a different shape
    /// is an <see cref="InputException"/> naming the file and both shapes. With
    /// <paramref name="useIndexFile"/>, a binary trace's index is loaded from its
    /// <c>.replay-index</c> file, or saved to it after an index pass over a trace of at least
    /// <see cref="IndexFileMinTraceBytes"/> (see traces/README.md, "Replay").
    /// </summary>
    public static TraceReplayRouter Open(string path, string modelName, int numMoeLayers, int numExperts, int topK,
        IReadOnlyList<Request> requests, long cacheSelections = DefaultCacheSelections, bool useIndexFile = true) =>
        Open(path, modelName, numMoeLayers, numExperts, topK, requests, cacheSelections, useIndexFile, SummaryBudgetBytes);

    /// <summary>
    /// <see cref="Open(string, string, int, int, int, IReadOnlyList{Request}, long, bool)"/> with a
    /// summary budget and a smallest trace to save the index of, of its own (tests, benchmarks).
    /// </summary>
    internal static TraceReplayRouter Open(string path, string modelName, int numMoeLayers, int numExperts, int topK,
        IReadOnlyList<Request> requests, long cacheSelections, bool useIndexFile, long summaryBudgetBytes,
        long indexFileMinTraceBytes = IndexFileMinTraceBytes)
    {
        void CheckShape(TraceShape shape)
        {
            if (!shape.Matches(numMoeLayers, numExperts, topK))
                throw new InputException(path, "shape",
                    $"the trace is {shape.Describe()}{(shape.ModelName.Length > 0 ? $" (recorded for {shape.ModelName})" : "")}; model {modelName} is {numMoeLayers} MoE layers x {numExperts} experts, top-{topK}");
        }

        if (string.Equals(Path.GetExtension(path), ".moetrace", StringComparison.OrdinalIgnoreCase))
        {
            // Header alone first: a summarised trace never needs the streaming reader (and its buffer).
            MoeTraceHeader header;
            Span<byte> headerCrc = stackalloc byte[4];
            using (var stream = TraceFileOpener.OpenRead(path, 4096))
            {
                header = MoeTraceHeader.Read(path, stream);
                stream.Position = header.SizeBytes - 4;
                stream.ReadExactly(headerCrc);
            }
            CheckShape(header.Shape);
            if (header.Shape.NumExperts <= ExpertMaskKernels.MaxExperts)
            {
                var key = ReplayIndexFile.KeyOf(path, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(headerCrc));
                var loaded = useIndexFile ? ReplayIndexFile.TryLoad(path, key, header.Shape, summaryBudgetBytes) : null;
                var save = useIndexFile && loaded is null && key.Length >= indexFileMinTraceBytes;
                if (useIndexFile && loaded is null && !save) ReplayIndexFile.TryDelete(path); // stale, and not to be replaced
                var (index, summary) = loaded ?? ReplayIndexScan.Binary(path, header, summaryBudgetBytes);
                var router = new TraceReplayRouter(path, header.Shape, index, new ReplayDecoder(path, null, header.Shape, index, requests, cacheSelections), summary)
                {
                    IndexFromFile = loaded is not null,
                };
                // The index is read-only from here on: save it while the simulation runs (Dispose finishes it).
                if (save)
                    router._saving = BackgroundWork.Start(() => ReplayIndexFile.TrySave(path, key, header.Shape, summaryBudgetBytes, index, summary));
                return router;
            }
        }
        var reader = RoutingTraceFiles.OpenReader(path);
        try
        {
            CheckShape(reader.Shape);
            var index = ReplayIndexScan.FromReader(reader);
            return new TraceReplayRouter(path, reader.Shape, index, new ReplayDecoder(path, reader, reader.Shape, index, requests, cacheSelections), null);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>Shape of the replayed trace.</summary>
    public TraceShape Shape { get; }
    /// <summary>Distinct requests in the trace.</summary>
    public int TraceRequests => _index.Length;
    /// <summary>Trace requests decoded so far (cache misses).</summary>
    public long Decodes => _decoder.Decodes;
    /// <summary>True when the index came from the trace's saved <c>.replay-index</c> file rather than an index pass.</summary>
    public bool IndexFromFile { get; private init; }
    /// <summary>True when distinct experts come from the <see cref="ReplayRoutingSummary"/> (bit masks) rather than token by token.</summary>
    internal bool UsesSummary => _summary is not null;

    public int NumMoeLayers => Shape.NumMoeLayers;
    public int NumExperts => Shape.NumExperts;
    public int TopK => Shape.TopK;
    public string Description => $"trace replay of {Path.GetFileName(_path)} ({_index.Length} trace requests, {Shape.Describe()})";

    public void Route(RoutingBatch batch, Span<int> expertTokenCounts, Span<int> distinctExperts)
    {
        var resolved = _decoder.Resolve(batch);
        var slices = batch.Slices;
        int experts = NumExperts, k = TopK, layers = NumMoeLayers;
        expertTokenCounts[..(layers * experts)].Clear();
        for (var s = 0; s < slices.Length; s++)
            for (var t = 0; t < slices[s].TokenCount; t++)
            {
                var token = _decoder.Token(resolved[s], slices[s], t);
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
            var index = _decoder.TraceIndex(slice.RequestId);
            ref readonly var entry = ref _index[index];
            if (slice.IsPrefill ? entry.PrefillTokens > 0 : entry.DecodeTokens == 0)
            {
                // Prefill tokens at positions mod P (a decode token borrowing one is a one-token range).
                if (!summary.TryOrPrefill(index, entry.PrefillTokens, slice.FirstTokenIndex, slice.TokenCount, masks)) OrByTokens(slice, masks);
                continue;
            }
            var prompt = _decoder.PromptTokens(slice.RequestId);
            // A prefill slice borrowing decode tokens walks consecutive ordinals: D of them cover all.
            var tokens = slice.IsPrefill ? Math.Min(slice.TokenCount, entry.DecodeTokens) : slice.TokenCount;
            for (var t = 0; t < tokens; t++)
            {
                var position = slice.FirstTokenIndex + t;
                var ordinal = slice.IsPrefill ? position : Math.Max(0, position - prompt);
                summary.OrDecode(index, ordinal < entry.DecodeTokens ? ordinal : ordinal % entry.DecodeTokens, masks);
            }
        }
        ExpertMaskKernels.PopCounts(masks, summary.MaskBytes, distinctExperts[..NumMoeLayers]);
    }

    /// <summary>ORs a slice's experts into <paramref name="masks"/> token by token from its decoded request.</summary>
    private void OrByTokens(in SequenceSlice slice, Span<byte> masks)
    {
        var request = _decoder.Resolve(slice);
        int k = TopK, layers = NumMoeLayers, bytes = _summary!.MaskBytes;
        for (var t = 0; t < slice.TokenCount; t++)
        {
            var token = _decoder.Token(request, slice, t);
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
        var resolved = _decoder.Resolve(batch);
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
                var token = _decoder.Token(resolved[s], slices[s], t);
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
        var resolved = _decoder.Resolve(batch);
        var slices = batch.Slices;
        var tokens = checked((int)batch.Tokens);
        int k = TopK, token = 0;
        for (var s = 0; s < slices.Length; s++)
            for (var t = 0; t < slices[s].TokenCount; t++, token++)
            {
                var ids = _decoder.Token(resolved[s], slices[s], t);
                for (var layer = 0; layer < NumMoeLayers; layer++)
                {
                    var target = expertIds.Slice((layer * tokens + token) * k, k);
                    for (var j = 0; j < k; j++) target[j] = ids.Id(layer, k, j);
                }
            }
    }

    public void Dispose()
    {
        _saving?.Finish(); // it reads the summary's pooled arrays (and runs here if no pool thread took it)
        _decoder.Dispose();
        _summary?.Dispose();
    }
}
