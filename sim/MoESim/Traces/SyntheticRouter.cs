using MoESim.Randomness;

namespace MoESim.Traces;

/// <summary>
/// A seeded synthetic router with per-layer Zipf-skewed popularity (uniform when the exponent
/// is 0). Each layer ranks its experts by a seeded random permutation, so hot experts differ
/// between layers. Popularity is expressed as per-token inclusion probabilities π_e (the chance
/// a token's top-k contains expert e; Σπ = k, each ≤ 1).
/// </summary>
/// <remarks>
/// Whole-iteration routing draws each expert's token count as Binomial(tokens, π_e): exact
/// per-expert marginals (so the expected number of distinct experts, which sets decode weight
/// traffic, is exact) at O(experts) cost per layer whatever the batch size. The sum of counts
/// fluctuates around tokens × k; costs use tokens × k for FLOPs, so this only affects loads.
/// Batches with at most as many token-expert pairs as experts (batch-1 decode above all) are
/// routed token by token instead, so each token uses exactly k distinct experts.
/// Per-token routing (<see cref="RouteToken"/>) picks exactly k distinct experts by systematic
/// sampling, which has the same inclusion probabilities.
/// </remarks>
public sealed class SyntheticRouter : IRoutingSource
{
    private readonly SyntheticRouterConfig _config;
    private readonly SeededRandom[] _layerRandom;
    private readonly double[][] _inclusion;  // [layer][expert]
    private readonly double[][] _cumulative; // [layer][expert+1], prefix sums of π in a seeded order
    private readonly int[][] _order;         // [layer][position] = expert
    private readonly int[][] _firstAbove;    // [layer][bucket] = first position p with cum[p+1] > bucket / _bucketsPerUnit
    private readonly double _bucketsPerUnit;
    private readonly int[][] _rankOfExpert;  // [layer][expert] = popularity rank
    private readonly double[] _log1MinusPiByRank; // every layer has the same π values, permuted
    private readonly ulong[] _activeThresholdByRank; // scratch: this pass's (1 - π_r)^tokens × 2^53, rounded up
    private readonly ulong[] _draws;                  // scratch: one layer's uniform draws
    private int[]? _smallBatchCounts;                  // scratch for token-by-token small batches

    public SyntheticRouter(SyntheticRouterConfig config)
    {
        if (config.NumExperts < 1) throw new ArgumentOutOfRangeException(nameof(config), "need at least one expert");
        if (config.TopK < 1 || config.TopK > config.NumExperts) throw new ArgumentOutOfRangeException(nameof(config), $"top-k must be in 1..{config.NumExperts}");
        if (config.ZipfExponent < 0 || config.ZipfExponent > 4) throw new ArgumentOutOfRangeException(nameof(config), "Zipf exponent must be in [0, 4]");
        _config = config;
        var root = new SeededRandom(config.Seed);
        _layerRandom = new SeededRandom[config.NumMoeLayers];
        _inclusion = new double[config.NumMoeLayers][];
        _cumulative = new double[config.NumMoeLayers][];
        _order = new int[config.NumMoeLayers][];
        _rankOfExpert = new int[config.NumMoeLayers][];
        _firstAbove = new int[config.NumMoeLayers][];
        // About four buckets per expert interval of average width k / experts: a pick starts at
        // its bucket's first candidate and is then a step or two away.
        _bucketsPerUnit = Math.Max(1, 4 * config.NumExperts / config.TopK);
        for (var layer = 0; layer < config.NumMoeLayers; layer++)
        {
            var rng = root.Fork((ulong)layer);
            var rankOfExpert = Enumerable.Range(0, config.NumExperts).ToArray();
            rng.Shuffle(rankOfExpert);
            var weights = rankOfExpert.Select(r => 1.0 / Math.Pow(r + 1, config.ZipfExponent)).ToArray();
            _inclusion[layer] = InclusionProbabilities(weights, config.TopK);
            var order = Enumerable.Range(0, config.NumExperts).ToArray();
            rng.Shuffle(order);
            _order[layer] = order;
            var cum = new double[config.NumExperts + 1];
            for (var i = 0; i < order.Length; i++) cum[i + 1] = cum[i] + _inclusion[layer][order[i]];
            _cumulative[layer] = cum;
            _firstAbove[layer] = FirstAbove(cum, config.TopK, _bucketsPerUnit);
            _layerRandom[layer] = rng;
            _rankOfExpert[layer] = rankOfExpert;
        }
        var byRank = Enumerable.Range(0, config.NumExperts).Select(r => 1.0 / Math.Pow(r + 1, config.ZipfExponent)).ToArray();
        _log1MinusPiByRank = InclusionProbabilities(byRank, config.TopK).Select(p => p >= 1 ? double.NegativeInfinity : Math.Log(1 - p)).ToArray();
        _activeThresholdByRank = new ulong[config.NumExperts];
        _draws = new ulong[config.NumExperts];
    }

    public int NumMoeLayers => _config.NumMoeLayers;
    public int NumExperts => _config.NumExperts;
    public int TopK => _config.TopK;

    public string Description => _config.ZipfExponent == 0
        ? $"synthetic uniform router (seed {_config.Seed})"
        : $"synthetic Zipf router, exponent {_config.ZipfExponent} (seed {_config.Seed})";

    /// <summary>Per-token inclusion probability of each expert in a layer (sums to top-k).</summary>
    public ReadOnlySpan<double> InclusionProbabilities(int layer) => _inclusion[layer];

    /// <summary>
    /// Scales popularity weights to inclusion probabilities summing to k, capping any at 1 and
    /// spreading the excess over the rest (an expert cannot be chosen twice by one token).
    /// </summary>
    internal static double[] InclusionProbabilities(double[] weights, int topK)
    {
        var pi = new double[weights.Length];
        var capped = new bool[weights.Length];
        var remainingK = (double)topK;
        for (var iteration = 0; iteration <= weights.Length; iteration++)
        {
            var sum = 0.0;
            for (var e = 0; e < weights.Length; e++) if (!capped[e]) sum += weights[e];
            var changed = false;
            for (var e = 0; e < weights.Length; e++)
            {
                if (capped[e]) continue;
                pi[e] = remainingK * weights[e] / sum;
                if (pi[e] >= 1.0)
                {
                    pi[e] = 1.0;
                    capped[e] = true;
                    remainingK -= 1.0;
                    changed = true;
                }
            }
            if (!changed) break;
        }
        return pi;
    }

    public void Route(RoutingBatch batch, Span<int> expertTokenCounts, Span<int> distinctExperts)
    {
        var experts = _config.NumExperts;
        var tokens = (int)Math.Min(batch.Tokens, int.MaxValue);
        // Small batches (at most as many token-expert pairs as experts, e.g. batch-1 decode) are
        // routed token by token: each token then uses exactly top-k distinct experts, as a real
        // router does. Independent binomials would let one token touch 0 or all experts.
        var perToken = (long)tokens * _config.TopK <= experts;
        Span<int> chosen = perToken ? stackalloc int[_config.TopK] : default;
        for (var layer = 0; layer < _config.NumMoeLayers; layer++)
        {
            var rng = _layerRandom[layer];
            var pi = _inclusion[layer];
            var counts = expertTokenCounts.Slice(layer * experts, experts);
            var distinct = 0;
            if (perToken)
            {
                counts.Clear();
                for (var t = 0; t < tokens; t++)
                {
                    RouteToken(layer, chosen);
                    foreach (var e in chosen) if (counts[e]++ == 0) distinct++;
                }
                distinctExperts[layer] = distinct;
                continue;
            }
            for (var e = 0; e < experts; e++)
            {
                var c = rng.NextBinomial(tokens, pi[e]);
                counts[e] = c;
                if (c > 0) distinct++;
            }
            distinctExperts[layer] = distinct;
        }
    }

    /// <summary>
    /// Draws only the distinct-expert count per layer, from the same model as <see cref="Route"/>:
    /// expert e is active when its Binomial(tokens, π_e) count is non-zero, i.e. with probability
    /// 1 − (1 − π_e)^tokens, independently per expert. One exp per popularity rank per pass and one
    /// uniform draw per expert, instead of a binomial draw per expert. Small batches go token by
    /// token through <see cref="Route"/>, so a batch-1 decode uses exactly top-k experts.
    /// The test u ≥ idle on u = k·2⁻⁵³ (k the draw's top 53 bits) is made exactly, in integers,
    /// as k ≥ ⌈idle·2⁵³⌉ (a scaling by a power of two is exact), on draws made in bulk: the
    /// same answers as comparing doubles one call at a time, at a fraction of the cost for
    /// wide layers (128 or 256 experts).
    /// </summary>
    public void RouteDistinct(RoutingBatch batch, Span<int> distinctExperts)
    {
        var experts = _config.NumExperts;
        if (batch.Tokens * _config.TopK <= experts)
        {
            _smallBatchCounts ??= new int[_config.NumMoeLayers * experts];
            Route(batch, _smallBatchCounts, distinctExperts);
            return;
        }
        var tokens = (double)batch.Tokens;
        var thresholds = _activeThresholdByRank;
        for (var r = 0; r < experts; r++)
            thresholds[r] = ActiveThreshold(tokens == 0 ? 1.0 : Math.Exp(tokens * _log1MinusPiByRank[r]));
        var draws = _draws.AsSpan();
        for (var layer = 0; layer < _config.NumMoeLayers; layer++)
        {
            _layerRandom[layer].Fill(draws);
            var ranks = _rankOfExpert[layer];
            var distinct = 0;
            for (var e = 0; e < draws.Length; e++)
                distinct += (draws[e] >> 11) >= thresholds[ranks[e]] ? 1 : 0;
            distinctExperts[layer] = distinct;
        }
    }

    /// <summary>
    /// The smallest 53-bit draw k with k·2⁻⁵³ ≥ <paramref name="idleProbability"/> (in [0, 1]):
    /// an expert is active when its draw's top 53 bits reach it (2⁵³, never, when idle is 1).
    /// </summary>
    internal static ulong ActiveThreshold(double idleProbability) => (ulong)Math.Ceiling(idleProbability * (1UL << 53));

    public void RouteTokens(RoutingBatch batch, Span<int> expertIds)
    {
        var tokens = checked((int)batch.Tokens);
        var k = _config.TopK;
        for (var layer = 0; layer < _config.NumMoeLayers; layer++)
            for (var t = 0; t < tokens; t++)
                RouteToken(layer, expertIds.Slice((layer * tokens + t) * k, k));
    }

    /// <summary>
    /// Picks exactly top-k distinct experts for one token of <paramref name="layer"/> into
    /// <paramref name="experts"/> (systematic sampling over a seeded expert order).
    /// </summary>
    public void RouteToken(int layer, Span<int> experts) =>
        Pick(_cumulative[layer], _order[layer], _firstAbove[layer], _bucketsPerUnit, _layerRandom[layer].NextDouble(), experts);

    /// <summary>
    /// Systematic sampling: for j = 0..k-1 (k = <paramref name="experts"/>' length) the first
    /// position at or after the previous pick whose interval [cum[p], cum[p+1]) passes u + j
    /// (<paramref name="cum"/>: prefix sums of π in <paramref name="order"/>); rounding can leave
    /// Σπ a hair under k, so a pick never runs past the last expert. <paramref name="firstAbove"/>
    /// (<see cref="FirstAbove"/>) starts each pick at most a step or two away: the same picks as a
    /// binary search over the order, without its O(log n) per pick.
    /// </summary>
    internal static void Pick(ReadOnlySpan<double> cum, ReadOnlySpan<int> order, ReadOnlySpan<int> firstAbove, double bucketsPerUnit, double u, Span<int> experts)
    {
        int position = 0, last = order.Length - 1;
        for (var j = 0; j < experts.Length; j++)
        {
            var target = u + j;
            int lo = Math.Min(position, last);
            int p = Math.Max(lo, firstAbove[Math.Min((int)(target * bucketsPerUnit), firstAbove.Length - 1)]);
            while (p > lo && cum[p] > target) p--;
            while (p < last && cum[p + 1] <= target) p++;
            experts[j] = order[p];
            position = p + 1;
        }
    }

    /// <summary>
    /// For every bucket b of targets [b / buckets, (b + 1) / buckets) in [0, k): the first position
    /// p whose interval ends past the bucket's start (cum[p + 1] &gt; b / buckets), or the last one.
    /// </summary>
    internal static int[] FirstAbove(double[] cum, int topK, double bucketsPerUnit)
    {
        int experts = cum.Length - 1;
        var first = new int[(int)(topK * bucketsPerUnit) + 1];
        int p = 0;
        for (int b = 0; b < first.Length; b++)
        {
            double start = b / bucketsPerUnit;
            while (p < experts - 1 && cum[p + 1] <= start) p++;
            first[b] = p;
        }
        return first;
    }
}
