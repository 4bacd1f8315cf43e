using System.Runtime.CompilerServices;
using MoESim.Randomness;

namespace MoESim.Traces.Synthetic;

/// <summary>
/// Per-layer expert popularity of one phase as per-token inclusion probabilities π (Σπ = k, each
/// ≤ 1), laid out for O(1) sampling: k distinct experts at once by systematic sampling
/// (<see cref="SystematicSetTable"/>, or <see cref="SystematicScan"/> for very large shapes),
/// single experts ∝ π by an alias table.
/// </summary>
public sealed class ExpertPopularityTable
{
    /// <summary>Seeded expert orders per layer used by systematic sampling.</summary>
    public const int Orders = SystematicScan.Orders;
    private readonly int _experts;
    private readonly double[][] _inclusion; // [layer][expert]
    private readonly SystematicScan? _scan;
    private readonly SystematicSetTable? _sets;
    private readonly AliasTable[] _single;  // [layer], ∝ π

    /// <summary>
    /// Builds the table. <paramref name="rankOfExpert"/> [layer][expert] is the Zipf rank used when
    /// <paramref name="parameters"/> has no histogram; <paramref name="orderRandom"/> shuffles the
    /// sampling order (systematic sampling would otherwise never pair neighbours in a fixed order).
    /// </summary>
    public ExpertPopularityTable(int layers, int experts, int topK, RoutingPhaseParameters parameters, int[][] rankOfExpert, SeededRandom orderRandom)
    {
        _experts = experts;
        _inclusion = new double[layers][];
        _single = new AliasTable[layers];
        for (var l = 0; l < layers; l++)
        {
            var weights = new double[experts];
            for (var e = 0; e < experts; e++)
                weights[e] = parameters.Histogram is { } h ? h[l][e] : 1.0 / Math.Pow(rankOfExpert[l][e] + 1, parameters.ZipfExponent);
            _inclusion[l] = SyntheticRouter.InclusionProbabilities(weights, topK);
            _single[l] = new AliasTable(_inclusion[l]);
        }
        if (SystematicSetTable.Fits(layers, experts, topK)) _sets = new SystematicSetTable(experts, topK, _inclusion, orderRandom);
        else _scan = new SystematicScan(experts, topK, _inclusion, orderRandom);
    }

    /// <summary>Inclusion probability of each expert at <paramref name="layer"/> (sums to k).</summary>
    public ReadOnlySpan<double> Inclusion(int layer) => _inclusion[layer];

    /// <summary>True when draws of k experts use the precomputed <see cref="SystematicSetTable"/>.</summary>
    public bool HasSetTable => _sets is not null;

    /// <summary>
    /// Writes k distinct experts into <paramref name="slots"/> by systematic sampling from one
    /// random word: each expert is included with probability exactly π_e (to 2⁻³¹).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void DrawSet(int layer, ulong random, Span<int> slots)
    {
        if (_sets is { } sets) sets.Draw(layer, random, slots);
        else _scan!.Draw(layer, random, slots);
    }

    /// <summary>One expert drawn with probability π_e / k from one random word (a single pick, repeats possible).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int DrawOne(int layer, ulong random) => _single[layer].Draw(random);

    /// <summary>Alias columns of single picks at <paramref name="layer"/> (see <see cref="AliasTable.Columns"/>).</summary>
    internal ReadOnlySpan<ulong> SingleColumns(int layer) => _single[layer].Columns;

    /// <summary>
    /// The expert with the largest π at <paramref name="layer"/> whose bit is clear in
    /// <paramref name="taken"/> (one bit per expert; fallback when rejection keeps failing).
    /// </summary>
    public int MostPopularExcept(int layer, Span<ulong> taken)
    {
        var pi = _inclusion[layer];
        var best = -1;
        for (var e = 0; e < _experts; e++)
            if ((taken[e >> 6] & (1UL << e)) == 0 && (best < 0 || pi[e] > pi[best])) best = e;
        return best;
    }
}
