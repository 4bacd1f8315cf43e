using System.Numerics;
using System.Runtime.CompilerServices;
using MoESim.Randomness;

namespace MoESim.Traces.Synthetic;

/// <summary>
/// The synthetic router v2, token by token: popularity (Zipf or histogram), temporal locality
/// within a request and cross-layer affinity, with separate prefill and decode parameters.
/// Deterministic for a seed and call sequence; every token's k experts at a layer are distinct.
/// </summary>
/// <remarks>
/// Per token and layer: (1) each slot j copies the previous token's slot-j expert with
/// probability λ (locality); (2) each remaining slot, with probability α, takes a successor of
/// this token's slot-j expert at the previous layer (affinity); (3) slots still open are drawn
/// from popularity: all k at once by systematic sampling (exact inclusion probabilities) when
/// nothing was copied, else one at a time ∝ π with rejection of repeats. With λ = α = 0 this is
/// exactly the v1 <see cref="SyntheticRouter.RouteToken"/> model.
/// Speed: k-at-once draws are precomputed (<see cref="SystematicSetTable"/>), the λ and α coin
/// flips of a layer come as bit masks (<see cref="BernoulliMask"/>, one random word per eight
/// slots), single picks from an alias table, and repeats are caught by a bit set over the
/// experts, so nothing is allocated and no per-slot search is needed. Random words come from a
/// <see cref="SplitMix64"/> stream seeded by <see cref="SeededRandom"/> fork 5, kept in a
/// register by the loops. <see cref="RouteTokens"/> routes a prefill chunk layer by layer.
/// </remarks>
public sealed class SyntheticTokenRouter
{
    private const int MaxRejections = 64;
    private readonly TraceGeneratorConfig _config;
    private readonly Phase _prefill;
    private readonly Phase _decode;
    private readonly SuccessorSets _successors;
    private ulong _stream; // SplitMix64 state, seeded from the SeededRandom fork
    private readonly ulong[] _closed; // slots fixed so far at this layer (one bit per slot)
    private readonly ulong[] _follow; // slots that try a successor (affinity coin flips)
    private readonly ulong[] _taken;  // experts held by closed slots (one bit per expert)

    /// <summary>Builds popularity tables and successor sets from <paramref name="config"/> (validated by the caller).</summary>
    public SyntheticTokenRouter(TraceGeneratorConfig config)
    {
        _config = config;
        var root = new SeededRandom(config.Seed);
        // One popularity ranking per layer shared by both phases: the prefill hot set is the
        // decode hot set (Orders in Chaos, ../shared/reference/placement.yaml routing-statistics).
        var ranks = new int[config.NumMoeLayers][];
        var rankRandom = root.Fork(1);
        for (var l = 0; l < config.NumMoeLayers; l++)
        {
            ranks[l] = new int[config.NumExperts];
            for (var e = 0; e < config.NumExperts; e++) ranks[l][e] = e;
            rankRandom.Shuffle(ranks[l]);
        }
        var decode = new ExpertPopularityTable(config.NumMoeLayers, config.NumExperts, config.TopK, config.Decode, ranks, root.Fork(3));
        // Phases with the same popularity share one table (half the set-up time); its seeded
        // orders only spread co-activation partners, which needs no second copy.
        var prefill = SamePopularity(config.Prefill, config.Decode)
            ? decode
            : new ExpertPopularityTable(config.NumMoeLayers, config.NumExperts, config.TopK, config.Prefill, ranks, root.Fork(2));
        _prefill = new Phase(prefill, config.Prefill, config.TopK);
        _decode = new Phase(decode, config.Decode, config.TopK);
        _successors = new SuccessorSets(config.NumMoeLayers, config.NumExperts, config.SuccessorSetSize, decode, root.Fork(4));
        _stream = root.Fork(5).NextUInt64();
        var words = (config.TopK + 63) >> 6;
        _closed = new ulong[words];
        _follow = new ulong[words];
        _taken = new ulong[(config.NumExperts + 63) >> 6];
    }

    private static bool SamePopularity(RoutingPhaseParameters a, RoutingPhaseParameters b) =>
        ReferenceEquals(a.Histogram, b.Histogram) && (a.Histogram is not null || a.ZipfExponent == b.ZipfExponent);

    /// <summary>The configuration routed.</summary>
    public TraceGeneratorConfig Config => _config;

    /// <summary>Popularity of prompt (true) or generated (false) tokens.</summary>
    public ExpertPopularityTable Popularity(bool prefill) => prefill ? _prefill.Popularity : _decode.Popularity;

    /// <summary>Successor sets used by affinity.</summary>
    public SuccessorSets Successors => _successors;

    /// <summary>
    /// Routes one token. <paramref name="state"/> (layers × k, layer-major) holds the previous
    /// token of the same request on entry when <paramref name="hasPrevious"/>, and this token's
    /// experts on return.
    /// </summary>
    public void RouteToken(bool prefill, bool hasPrevious, Span<int> state)
    {
        var phase = prefill ? _prefill : _decode;
        var k = _config.TopK;
        var stream = _stream;
        for (var l = 0; l < _config.NumMoeLayers; l++)
        {
            var slots = state.Slice(l * k, k);
            var tables = Tables(phase, l);
            stream = RouteLayer(phase, l, tables, slots, hasPrevious ? slots : default, l > 0 ? state.Slice((l - 1) * k, k) : default, stream);
        }
        _stream = stream;
    }

    /// <summary>
    /// Routes <paramref name="tokens"/> consecutive tokens of one request (token i follows token
    /// i − 1) into <paramref name="ids"/>, laid out [layer][token][k] as in a <see cref="RoutingStep"/>.
    /// <paramref name="last"/> (layers × k) holds the request's previous token on entry when
    /// <paramref name="hasPrevious"/>, and the last routed token on return. Layer by layer, so one
    /// layer's tables stay in cache over a prefill chunk and ids are written in order.
    /// </summary>
    public void RouteTokens(bool prefill, bool hasPrevious, int tokens, Span<int> ids, Span<int> last)
    {
        var phase = prefill ? _prefill : _decode;
        var k = _config.TopK;
        var layers = _config.NumMoeLayers;
        if (tokens < 1) return;
        var stream = _stream;
        for (var l = 0; l < layers; l++)
        {
            var layer = ids.Slice(l * tokens * k, tokens * k);
            var previousLayer = l > 0 ? ids.Slice((l - 1) * tokens * k, tokens * k) : default;
            var previousToken = hasPrevious ? last.Slice(l * k, k) : default;
            var tables = Tables(phase, l);
            for (var t = 0; t < tokens; t++)
            {
                var slots = layer.Slice(t * k, k);
                stream = RouteLayer(phase, l, tables, slots, previousToken, l > 0 ? previousLayer.Slice(t * k, k) : default, stream);
                previousToken = slots;
            }
        }
        _stream = stream;
        for (var l = 0; l < layers; l++) ids.Slice((l * tokens + tokens - 1) * k, k).CopyTo(last.Slice(l * k, k));
    }

    private LayerTables Tables(Phase phase, int layer) =>
        new(phase.Popularity.SingleColumns(layer), layer > 0 && phase.Affinity is not null ? _successors.Packed(layer - 1) : default);

    /// <summary>
    /// Routes one token at one layer into <paramref name="slots"/> and returns the advanced
    /// <see cref="SplitMix64"/> state <paramref name="stream"/>. <paramref name="previousToken"/>
    /// (empty: none, no locality; may be <paramref name="slots"/> itself) is the request's previous
    /// token at this layer, <paramref name="previousLayer"/> (empty at layer 0) this token at the
    /// layer before.
    /// </summary>
    /// <remarks>
    /// Successor candidates are accepted with masks rather than branches (a candidate is always
    /// written and counted only when its expert was free), so that loop branches only on how
    /// many slots remain.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ulong RouteLayer(Phase phase, int l, LayerTables tables, Span<int> slots, ReadOnlySpan<int> previousToken, ReadOnlySpan<int> previousLayer, ulong stream)
    {
        var locality = previousToken.IsEmpty ? null : phase.Locality;
        var affinity = previousLayer.IsEmpty ? null : phase.Affinity;
        if (locality is null && affinity is null)
        {
            phase.Popularity.DrawSet(l, SplitMix64.Mix(stream += SplitMix64.Gamma), slots);
            return stream;
        }
        var closed = _closed.AsSpan();
        var taken = _taken.AsSpan();
        var anyClosed = false;
        if (locality is not null)
        {
            // Locality: kept slots take the previous token's experts.
            stream = locality.Draw(stream, closed);
            anyClosed = Keep(previousToken, slots, closed, taken);
        }
        else closed.Clear();
        if (affinity is not null)
        {
            var follow = _follow.AsSpan();
            stream = affinity.Draw(stream, follow);
            var size = _successors.Size;
            for (var w = 0; w < closed.Length; w++)
            {
                var accepted = 0UL;
                for (var bits = follow[w] & ~closed[w]; bits != 0; bits &= bits - 1)
                {
                    var bit = BitOperations.TrailingZeroCount(bits);
                    var j = (w << 6) + bit;
                    var candidate = SuccessorSets.Draw(tables.Successors, size, previousLayer[j], SplitMix64.Mix(stream += SplitMix64.Gamma));
                    var free = Free(taken, candidate);
                    slots[j] = Select(free, candidate, slots[j]);
                    taken[candidate >> 6] |= free << candidate;
                    accepted |= free << bit;
                }
                closed[w] |= accepted;
                anyClosed |= accepted != 0;
            }
        }
        if (!anyClosed)
        {
            phase.Popularity.DrawSet(l, SplitMix64.Mix(stream += SplitMix64.Gamma), slots);
            return stream;
        }
        for (var w = 0; w < closed.Length; w++)
        {
            // Fresh picks ∝ π, rejecting experts already held. Here a branch beats a mask: most
            // draws are accepted, and speculating on that runs ahead to the next slot.
            for (var open = ~closed[w] & phase.SlotMask(w); open != 0; open &= open - 1)
            {
                var j = (w << 6) + BitOperations.TrailingZeroCount(open);
                int candidate;
                var attempts = 0;
                do candidate = AliasTable.Draw(tables.Single, SplitMix64.Mix(stream += SplitMix64.Gamma));
                while (Free(taken, candidate) == 0 && ++attempts < MaxRejections);
                // Rejection kept failing (nearly all the mass is taken): most popular free expert.
                if (Free(taken, candidate) == 0) candidate = phase.Popularity.MostPopularExcept(l, taken);
                slots[j] = candidate;
                taken[candidate >> 6] |= 1UL << candidate;
            }
        }
        // Every slot is closed now: clear the layer's experts for the next call.
        foreach (var e in slots) taken[e >> 6] &= ~(1UL << e);
        return stream;
    }

    /// <summary>
    /// Copies the previous token's expert into every kept (closed) slot and sets its expert bit;
    /// true when any slot is kept.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Keep(ReadOnlySpan<int> previousToken, Span<int> slots, Span<ulong> closed, Span<ulong> taken)
    {
        var any = false;
        for (var w = 0; w < closed.Length; w++)
        {
            for (var bits = closed[w]; bits != 0; bits &= bits - 1)
            {
                var j = (w << 6) + BitOperations.TrailingZeroCount(bits);
                var e = previousToken[j];
                slots[j] = e;
                taken[e >> 6] |= 1UL << e;
            }
            any |= closed[w] != 0;
        }
        return any;
    }

    /// <summary>1 when <paramref name="expert"/>'s bit is clear in <paramref name="taken"/>, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Free(Span<ulong> taken, int expert) => ~(taken[expert >> 6] >> expert) & 1;

    /// <summary><paramref name="candidate"/> when <paramref name="free"/> is 1, else <paramref name="current"/>, without a branch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Select(ulong free, int candidate, int current)
    {
        var mask = -(int)free;
        return (candidate & mask) | (current & ~mask);
    }

    /// <summary>One layer's tables, looked up once per layer rather than per token.</summary>
    private readonly ref struct LayerTables(ReadOnlySpan<ulong> single, ReadOnlySpan<ulong> successors)
    {
        /// <summary>Alias columns of single picks ∝ π.</summary>
        public ReadOnlySpan<ulong> Single { get; } = single;
        /// <summary>Packed successor sets from the previous layer (empty at layer 0 or without affinity).</summary>
        public ReadOnlySpan<ulong> Successors { get; } = successors;
    }

    /// <summary>One phase's popularity and coin-flip samplers (null where the probability is 0).</summary>
    private sealed class Phase
    {
        private readonly ulong[] _slotMask;

        public Phase(ExpertPopularityTable popularity, RoutingPhaseParameters parameters, int topK)
        {
            Popularity = popularity;
            Locality = parameters.Locality > 0 ? new BernoulliMask(parameters.Locality, topK) : null;
            Affinity = parameters.Affinity > 0 ? new BernoulliMask(parameters.Affinity, topK) : null;
            _slotMask = new ulong[(topK + 63) >> 6];
            for (var j = 0; j < topK; j++) _slotMask[j >> 6] |= 1UL << j;
        }

        public ExpertPopularityTable Popularity { get; }
        public BernoulliMask? Locality { get; }
        public BernoulliMask? Affinity { get; }

        /// <summary>Bits of the slots that exist in mask word <paramref name="word"/>.</summary>
        public ulong SlotMask(int word) => _slotMask[word];
    }
}
