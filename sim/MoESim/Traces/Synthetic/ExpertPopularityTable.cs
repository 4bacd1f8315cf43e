using MoESim.Randomness;

namespace MoESim.Traces.Synthetic;

/// <summary>
/// Per-layer expert popularity of one phase as per-token inclusion probabilities π (Σπ = k, each
/// ≤ 1), laid out for O(1) sampling: prefix sums over a seeded expert order plus a guide table
/// that jumps straight to the right interval, so a draw costs one uniform and a few compares.
/// </summary>
/// <remarks>
/// Systematic sampling over one fixed order ties each expert to a fixed partner (with uniform
/// π the k picks are always the same distance apart in the order), which would fake strong
/// co-activation inside a layer and, through it, across layers. Each layer therefore keeps
/// <see cref="Orders"/> seeded orders and every draw uses one at random (the uniform's high
/// bits pick the order, the rest is the start): inclusion probabilities stay exact, and an
/// expert's partners spread over up to that many experts.
/// </remarks>
public sealed class ExpertPopularityTable
{
    private const int GuideCellsPerExpert = 4;
    /// <summary>Seeded expert orders per layer used by systematic sampling.</summary>
    public const int Orders = 16;
    private readonly int _experts;
    private readonly int _topK;
    private readonly double[][] _inclusion; // [layer][expert]
    private readonly double[][] _cumulative; // [layer][order * (experts + 1) + position + 1]
    private readonly int[][] _order;         // [layer][order * experts + position] = expert
    private readonly int[][] _guide;         // [layer][order * (cells + 1) + cell] = first position whose interval may hold the cell
    private readonly int _cells;
    private readonly double _cellsPerUnit;

    /// <summary>
    /// Builds the table. <paramref name="rankOfExpert"/> [layer][expert] is the Zipf rank used when
    /// <paramref name="parameters"/> has no histogram; <paramref name="orderRandom"/> shuffles the
    /// sampling order (systematic sampling would otherwise never pair neighbours in a fixed order).
    /// </summary>
    public ExpertPopularityTable(int layers, int experts, int topK, RoutingPhaseParameters parameters, int[][] rankOfExpert, SeededRandom orderRandom)
    {
        _experts = experts;
        _topK = topK;
        _inclusion = new double[layers][];
        _cumulative = new double[layers][];
        _order = new int[layers][];
        _guide = new int[layers][];
        var cells = experts * GuideCellsPerExpert;
        _cells = cells;
        _cellsPerUnit = cells / (double)topK;
        for (var l = 0; l < layers; l++)
        {
            var weights = new double[experts];
            for (var e = 0; e < experts; e++)
                weights[e] = parameters.Histogram is { } h ? h[l][e] : 1.0 / Math.Pow(rankOfExpert[l][e] + 1, parameters.ZipfExponent);
            var pi = SyntheticRouter.InclusionProbabilities(weights, topK);
            var order = new int[Orders * experts];
            var cum = new double[Orders * (experts + 1)];
            var guide = new int[Orders * (cells + 1)];
            for (var o = 0; o < Orders; o++)
            {
                var ord = order.AsSpan(o * experts, experts);
                for (var e = 0; e < experts; e++) ord[e] = e;
                orderRandom.Shuffle(ord);
                var c0 = o * (experts + 1);
                for (var p = 0; p < experts; p++) cum[c0 + p + 1] = cum[c0 + p] + pi[ord[p]];
                var position = 0;
                for (var c = 0; c <= cells; c++)
                {
                    var x = c / _cellsPerUnit;
                    while (position < experts - 1 && cum[c0 + position + 1] <= x) position++;
                    guide[o * (cells + 1) + c] = position;
                }
            }
            _inclusion[l] = pi;
            _cumulative[l] = cum;
            _order[l] = order;
            _guide[l] = guide;
        }
    }

    /// <summary>Inclusion probability of each expert at <paramref name="layer"/> (sums to k).</summary>
    public ReadOnlySpan<double> Inclusion(int layer) => _inclusion[layer];

    /// <summary>
    /// Writes k distinct experts into <paramref name="slots"/> by systematic sampling: each
    /// expert is included with probability exactly π_e.
    /// </summary>
    public void DrawSet(int layer, SeededRandom random, Span<int> slots)
    {
        var scaled = random.NextDouble() * Orders;
        var o = (int)scaled;
        var u = scaled - o;
        var experts = _experts;
        var cum = _cumulative[layer].AsSpan(o * (experts + 1), experts + 1);
        var order = _order[layer].AsSpan(o * experts, experts);
        var guide = _guide[layer].AsSpan(o * (_cells + 1), _cells + 1);
        var position = 0;
        var last = experts - 1;
        for (var j = 0; j < slots.Length; j++)
        {
            var target = u + j;
            var p = Math.Max(position, guide[(int)(target * _cellsPerUnit)]);
            while (p < last && cum[p + 1] <= target) p++;
            slots[j] = order[p];
            position = p + 1;
        }
    }

    /// <summary>One expert drawn with probability π_e / k (a single pick, repeats possible).</summary>
    public int DrawOne(int layer, SeededRandom random)
    {
        // Any one order will do for a single pick: use the first.
        var cum = _cumulative[layer];
        var target = random.NextDouble() * _topK;
        var p = _guide[layer][(int)(target * _cellsPerUnit)];
        var last = _experts - 1;
        while (p < last && cum[p + 1] <= target) p++;
        return _order[layer][p];
    }

    /// <summary>The expert with the largest π at <paramref name="layer"/> not in <paramref name="taken"/> (fallback when rejection keeps failing).</summary>
    public int MostPopularExcept(int layer, ReadOnlySpan<int> taken)
    {
        var pi = _inclusion[layer];
        var best = -1;
        for (var e = 0; e < _experts; e++)
            if (taken.IndexOf(e) < 0 && (best < 0 || pi[e] > pi[best])) best = e;
        return best;
    }
}
