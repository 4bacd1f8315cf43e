using MoESim.Randomness;

namespace MoESim.Traces.Synthetic;

/// <summary>
/// Systematic sampling of k distinct experts with exact inclusion probabilities π (Σπ = k, each
/// ≤ 1), evaluated directly: prefix sums of π over <see cref="Orders"/> seeded expert orders per
/// layer, and a guide table that jumps to the right interval, so a draw costs O(k) compares.
/// <see cref="SystematicSetTable"/> precomputes every outcome for O(1) draws; this scan is its
/// reference (same experts for the same random word, tested) and its fallback for shapes whose
/// table would be too large.
/// </summary>
/// <remarks>
/// Systematic sampling over one fixed order ties each expert to a fixed partner (with uniform
/// π the k picks are always the same distance apart in the order), which would fake strong
/// co-activation inside a layer and, through it, across layers. Each layer therefore keeps
/// <see cref="Orders"/> seeded orders and every draw uses one at random: inclusion probabilities
/// stay exact, and an expert's partners spread over up to that many experts.
/// One 64-bit random word makes a draw: its top 4 bits pick the order, the next 31 bits are the
/// start u ∈ [0, 1) of the k points u, u + 1, …, u + k − 1 laid over the prefix sums.
/// </remarks>
public sealed class SystematicScan
{
    /// <summary>Seeded expert orders per layer.</summary>
    public const int Orders = 16;
    /// <summary>Bits of the start u taken from a random word (u = x / 2^31).</summary>
    public const int StartBits = 31;
    private const int GuideCellsPerExpert = 4;
    private readonly int _experts;
    private readonly double[][] _cumulative; // [layer][order * (experts + 1) + position + 1]
    private readonly int[][] _order;         // [layer][order * experts + position] = expert
    private readonly int[][] _guide;         // [layer][order * (cells + 1) + cell] = first position whose interval may hold the cell
    private readonly int _cells;
    private readonly double _cellsPerUnit;

    /// <summary>Lays out <paramref name="inclusion"/> [layer][expert] over orders shuffled by <paramref name="orderRandom"/>.</summary>
    public SystematicScan(int experts, int topK, double[][] inclusion, SeededRandom orderRandom)
    {
        _experts = experts;
        var layers = inclusion.Length;
        _cumulative = new double[layers][];
        _order = new int[layers][];
        _guide = new int[layers][];
        var cells = experts * GuideCellsPerExpert;
        _cells = cells;
        _cellsPerUnit = cells / (double)topK;
        for (var l = 0; l < layers; l++)
        {
            var order = new int[Orders * experts];
            var cum = new double[Orders * (experts + 1)];
            var guide = new int[Orders * (cells + 1)];
            for (var o = 0; o < Orders; o++)
            {
                var c0 = o * (experts + 1);
                LayOut(inclusion[l], orderRandom, order.AsSpan(o * experts, experts), cum.AsSpan(c0, experts + 1));
                var position = 0;
                for (var c = 0; c <= cells; c++)
                {
                    var x = c / _cellsPerUnit;
                    while (position < experts - 1 && cum[c0 + position + 1] <= x) position++;
                    guide[o * (cells + 1) + c] = position;
                }
            }
            _cumulative[l] = cum;
            _order[l] = order;
            _guide[l] = guide;
        }
    }

    /// <summary>
    /// One seeded order: shuffles the experts into <paramref name="order"/> and writes the prefix
    /// sums of <paramref name="inclusion"/> along it (experts + 1 values, 0 to k) into
    /// <paramref name="cumulative"/>. <see cref="SystematicSetTable"/> lays out the same orders.
    /// </summary>
    internal static void LayOut(ReadOnlySpan<double> inclusion, SeededRandom orderRandom, Span<int> order, Span<double> cumulative)
    {
        for (var e = 0; e < order.Length; e++) order[e] = e;
        orderRandom.Shuffle(order);
        cumulative[0] = 0;
        for (var p = 0; p < order.Length; p++) cumulative[p + 1] = cumulative[p] + inclusion[order[p]];
    }

    /// <summary>The order a random word selects, 0..<see cref="Orders"/> − 1.</summary>
    public static int OrderOf(ulong random) => (int)(random >> 60);

    /// <summary>The start a random word selects, x in [0, 2^31) for u = x / 2^31.</summary>
    public static uint StartOf(ulong random) => (uint)(random >> (60 - StartBits)) & ((1u << StartBits) - 1);

    /// <summary>The k experts a random word selects at <paramref name="layer"/>, slot j holding the point u + j.</summary>
    public void Draw(int layer, ulong random, Span<int> slots) =>
        Fill(layer, OrderOf(random), StartOf(random) / (double)(1u << StartBits), slots);

    /// <summary>Writes the experts under the points u, u + 1, … of <paramref name="order"/> at <paramref name="layer"/> (u in [0, 1)).</summary>
    public void Fill(int layer, int order, double u, Span<int> slots)
    {
        var experts = _experts;
        var cum = _cumulative[layer].AsSpan(order * (experts + 1), experts + 1);
        var ord = _order[layer].AsSpan(order * experts, experts);
        var guide = _guide[layer].AsSpan(order * (_cells + 1), _cells + 1);
        var position = 0;
        var last = experts - 1;
        for (var j = 0; j < slots.Length; j++)
        {
            var target = u + j;
            var p = Math.Max(position, guide[(int)(target * _cellsPerUnit)]);
            // The guide cell index is rounded: step back should it overshoot, then forward.
            while (p > position && cum[p] > target) p--;
            while (p < last && cum[p + 1] <= target) p++;
            slots[j] = ord[p];
            position = p + 1;
        }
    }
}
