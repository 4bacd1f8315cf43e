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
/// </remarks>
public sealed class SyntheticTokenRouter
{
    private const int MaxRejections = 64;
    private readonly TraceGeneratorConfig _config;
    private readonly ExpertPopularityTable _prefill;
    private readonly ExpertPopularityTable _decode;
    private readonly SuccessorSets _successors;
    private readonly SeededRandom _random;
    private readonly bool[] _open;

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
        _prefill = new ExpertPopularityTable(config.NumMoeLayers, config.NumExperts, config.TopK, config.Prefill, ranks, root.Fork(2));
        _decode = new ExpertPopularityTable(config.NumMoeLayers, config.NumExperts, config.TopK, config.Decode, ranks, root.Fork(3));
        _successors = new SuccessorSets(config.NumMoeLayers, config.NumExperts, config.SuccessorSetSize, _decode, root.Fork(4));
        _random = root.Fork(5);
        _open = new bool[config.TopK];
    }

    /// <summary>The configuration routed.</summary>
    public TraceGeneratorConfig Config => _config;

    /// <summary>Popularity of prompt (true) or generated (false) tokens.</summary>
    public ExpertPopularityTable Popularity(bool prefill) => prefill ? _prefill : _decode;

    /// <summary>Successor sets used by affinity.</summary>
    public SuccessorSets Successors => _successors;

    /// <summary>
    /// Routes one token. <paramref name="state"/> (layers × k, layer-major) holds the previous
    /// token of the same request on entry when <paramref name="hasPrevious"/>, and this token's
    /// experts on return.
    /// </summary>
    public void RouteToken(bool prefill, bool hasPrevious, Span<int> state)
    {
        var p = prefill ? _config.Prefill : _config.Decode;
        var table = prefill ? _prefill : _decode;
        var k = _config.TopK;
        var random = _random;
        var locality = hasPrevious ? p.Locality : 0;
        var affinity = p.Affinity;
        if (locality == 0 && affinity == 0)
        {
            for (var l = 0; l < _config.NumMoeLayers; l++) table.DrawSet(l, random, state.Slice(l * k, k));
            return;
        }
        var open = _open.AsSpan();
        for (var l = 0; l < _config.NumMoeLayers; l++)
        {
            var slots = state.Slice(l * k, k);
            var openCount = k;
            for (var j = 0; j < k; j++)
            {
                // Locality: keep the previous token's expert in this slot (the state already holds it).
                var keep = locality > 0 && random.NextDouble() < locality;
                open[j] = !keep;
                if (keep) openCount--;
            }
            if (openCount == 0) continue;
            if (affinity > 0 && l > 0)
            {
                var previousLayer = state.Slice((l - 1) * k, k);
                for (var j = 0; j < k; j++)
                {
                    if (!open[j] || random.NextDouble() >= affinity) continue;
                    var candidate = _successors.Draw(l - 1, previousLayer[j], random);
                    if (Taken(slots, open, candidate)) continue;
                    slots[j] = candidate;
                    open[j] = false;
                    openCount--;
                }
            }
            if (openCount == k)
            {
                table.DrawSet(l, random, slots);
                continue;
            }
            for (var j = 0; j < k && openCount > 0; j++)
            {
                if (!open[j]) continue;
                var e = -1;
                for (var attempt = 0; attempt < MaxRejections; attempt++)
                {
                    var candidate = table.DrawOne(l, random);
                    if (!Taken(slots, open, candidate)) { e = candidate; break; }
                }
                if (e < 0) e = MostPopularExceptClosed(table, l, slots, open);
                slots[j] = e;
                open[j] = false;
                openCount--;
            }
        }
    }

    private static bool Taken(ReadOnlySpan<int> slots, ReadOnlySpan<bool> open, int expert)
    {
        for (var j = 0; j < slots.Length; j++) if (!open[j] && slots[j] == expert) return true;
        return false;
    }

    private static int MostPopularExceptClosed(ExpertPopularityTable table, int layer, Span<int> slots, ReadOnlySpan<bool> open)
    {
        Span<int> taken = stackalloc int[slots.Length];
        var n = 0;
        for (var j = 0; j < slots.Length; j++) if (!open[j]) taken[n++] = slots[j];
        return table.MostPopularExcept(layer, taken[..n]);
    }
}
