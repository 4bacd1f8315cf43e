using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using MoESim.Randomness;
using MoESim.Traces.Formats;

namespace MoESim.Traces.Statistics;

/// <summary>
/// Streams a trace's steps once and gathers every statistic of <c>trace stats</c>. Memory is
/// bounded by the shape (co-activation: 2 × (layers − 1) × experts² 16-bit cells, plus as many
/// ints once a phase has over 65,535 sampled tokens; reservoir; caches; a 4 MiB buffer of
/// sampled ids) plus layers × k ints per sampled request, never by the trace length.
/// </summary>
/// <remarks>
/// Cheap statistics (per-expert selection counts, hence popularity and load imbalance) use every
/// selection. The expensive ones use the tokens of a deterministic request sample
/// (<see cref="TraceStatisticsOptions.SampleFraction"/>): locality (each token against the
/// previous token of its request), the per-layer LRU/LFU expert caches and reuse distances (one
/// cache per layer fed the sampled tokens' experts in trace order), co-activation of adjacent
/// layers, and a uniform reservoir of tokens per phase from which batches are formed.
/// A binary trace is best fed through <see cref="Add(in PackedRoutingStep)"/> (what
/// <see cref="TraceStatisticsRunner"/> does): the ids are counted as packed bytes, about a
/// nanosecond per selection for everything that sees every selection.
/// </remarks>
public sealed class TraceStatisticsCollector
{
    private readonly TraceShape _shape;
    private readonly TraceStatisticsOptions _options;
    private readonly RequestSampler _sampler;
    private readonly PhaseAccumulator _prefill;
    private readonly PhaseAccumulator _decode;
    private readonly SampledStatistics _sampled;
    private readonly int[] _lfuSizes;
    private int[] _wideIds = [];
    private long _steps;

    /// <summary>A collector for traces of <paramref name="shape"/>.</summary>
    public TraceStatisticsCollector(TraceShape shape, TraceStatisticsOptions options) : this(shape, options, SampledStatistics.DefaultBufferIds) { }

    /// <summary>A collector whose sampled steps are processed every <paramref name="sampleBufferIds"/> ids (tests vary it; results do not depend on it).</summary>
    internal TraceStatisticsCollector(TraceShape shape, TraceStatisticsOptions options, int sampleBufferIds)
    {
        if (!(options.SampleFraction is > 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(options), "sample fraction must be in (0, 1]");
        if (options.AffinityTopM < 1 || options.AffinityTopM > shape.NumExperts) throw new ArgumentOutOfRangeException(nameof(options), "top-m must be in 1..experts");
        if (options.BatchReservoirTokens < 1) throw new ArgumentOutOfRangeException(nameof(options), "reservoir needs at least one token");
        _shape = shape;
        _options = options;
        _sampler = new RequestSampler(options.SampleFraction, options.SampleSeed);
        _lfuSizes = LfuCacheSizes(shape.NumExperts, shape.TopK);
        var root = new SeededRandom(options.SampleSeed);
        _prefill = new PhaseAccumulator("prefill", shape, _lfuSizes.Length, options.BatchReservoirTokens, root.Fork(1));
        _decode = new PhaseAccumulator("decode", shape, _lfuSizes.Length, options.BatchReservoirTokens, root.Fork(2));
        _sampled = new SampledStatistics(shape, _lfuSizes, sampleBufferIds);
    }

    /// <summary>LFU cache sizes evaluated: k, 2k and fractions 1/32 .. 7/8 of the experts, distinct, in 1..experts−1.</summary>
    public static int[] LfuCacheSizes(int experts, int topK)
    {
        var sizes = new SortedSet<int> { topK, 2 * topK };
        foreach (var f in new[] { 1 / 32.0, 1 / 16.0, 1 / 8.0, 1 / 4.0, 3 / 8.0, 1 / 2.0, 5 / 8.0, 3 / 4.0, 7 / 8.0 })
            sizes.Add((int)Math.Round(experts * f));
        return sizes.Where(s => s >= 1 && s < experts).ToArray();
    }

    /// <summary>Adds one step (its shape must be the collector's).</summary>
    public void Add(RoutingStep step) => Add<int>(step.RequestId, step.TokenCount, step.IsPrefill, step.ExpertIds);

    /// <summary>Adds one step still packed in a binary reader's buffer (no copy; the fast path of <c>trace stats</c>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(in PackedRoutingStep step)
    {
        if (step.IdBytes == 1) Add(step.RequestId, step.TokenCount, step.IsPrefill, step.ExpertIdBytes);
        else if (BitConverter.IsLittleEndian) Add(step.RequestId, step.TokenCount, step.IsPrefill, step.ExpertIdsUInt16);
        else
        {
            if (_wideIds.Length < step.Selections) _wideIds = new int[step.Selections];
            var wide = _wideIds.AsSpan(0, step.Selections);
            for (var i = 0; i < wide.Length; i++) wide[i] = BinaryPrimitives.ReadUInt16LittleEndian(step.ExpertIdBytes[(2 * i)..]);
            Add<int>(step.RequestId, step.TokenCount, step.IsPrefill, wide);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Add<T>(int requestId, int tokens, bool prefill, ReadOnlySpan<T> ids) where T : unmanaged, IBinaryInteger<T>
    {
        var experts = _shape.NumExperts;
        if (ids.Length != _shape.NumMoeLayers * tokens * _shape.TopK)
            throw new ArgumentException($"a step of {tokens} tokens needs {_shape.NumMoeLayers * tokens * _shape.TopK} ids, got {ids.Length}", nameof(ids));
        // One vector pass (skipped when every byte value is an id): the counts below index by id unchecked.
        var bad = typeof(T) == typeof(byte) && experts >= 256 ? -1 : ids.IndexOfAnyExceptInRange(T.Zero, T.CreateTruncating(experts - 1));
        if (bad >= 0) throw new IndexOutOfRangeException($"expert id {ids[bad]} outside 0..{experts - 1}");
        _steps++;
        var phase = prefill ? _prefill : _decode;
        phase.Tokens += tokens;
        phase.Selections.Add(ids, tokens);
        if (_sampler.Contains(requestId)) _sampled.Add(requestId, tokens, phase, ids);
    }

    /// <summary>Computes the statistics of everything added so far.</summary>
    public TraceStatistics Finish()
    {
        _sampled.Flush();
        return Summarize();
    }

    private TraceStatistics Summarize() => new()
    {
        Shape = _shape,
        Options = _options,
        Steps = _steps,
        SampledRequests = _sampled.Requests,
        Phases = [PhaseSummarizer.Summarize(_prefill, _lfuSizes, _options), PhaseSummarizer.Summarize(_decode, _lfuSizes, _options)],
    };
}
