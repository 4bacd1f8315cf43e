using MoESim.Randomness;

namespace MoESim.Traces.Synthetic;

/// <summary>
/// Cross-layer affinity structure: for every MoE layer l &lt; L−1 and expert e, a seeded set of m
/// distinct preferred experts at layer l+1 (built from m seeded permutations, so every expert at
/// l+1 is in exactly m sets), picked within the set in proportion to their popularity at l+1.
/// </summary>
public sealed class SuccessorSets
{
    private readonly int _size;
    private readonly int _experts;
    private readonly int[][] _successors;   // [layer][expert * m + i]
    private readonly double[][] _cumulative; // [layer][expert * m + i], within-set cumulative weight, last = 1

    /// <summary>Builds sets of <paramref name="size"/> successors weighted by <paramref name="popularity"/> of the next layer.</summary>
    public SuccessorSets(int layers, int experts, int size, ExpertPopularityTable popularity, SeededRandom random)
    {
        _size = size;
        _experts = experts;
        _successors = new int[Math.Max(0, layers - 1)][];
        _cumulative = new double[Math.Max(0, layers - 1)][];
        for (var l = 0; l + 1 < layers; l++)
        {
            var next = popularity.Inclusion(l + 1);
            var succ = new int[experts * size];
            var cum = new double[experts * size];
            // Slot i of every set comes from one seeded permutation, so each expert at l+1 is a
            // successor of exactly m experts: affinity then leaves uniform popularity uniform.
            var permutation = new int[experts];
            for (var i = 0; i < size; i++)
            {
                for (var e = 0; e < experts; e++) permutation[e] = e;
                random.Shuffle(permutation);
                for (var e = 0; e < experts; e++)
                {
                    // Keep a set's members distinct: swap with the next position until it fits
                    // (at most m tries, since a set holds fewer than m others).
                    for (var shift = 1; Array.IndexOf(succ, permutation[e], e * size, i) >= 0 && shift < experts; shift++)
                    {
                        var other = (e + shift) % experts;
                        (permutation[e], permutation[other]) = (permutation[other], permutation[e]);
                    }
                    succ[e * size + i] = permutation[e];
                }
            }
            for (var e = 0; e < experts; e++)
            {
                double setWeight = 0;
                for (var i = 0; i < size; i++)
                {
                    setWeight += Math.Max(next[succ[e * size + i]], 1e-12);
                    cum[e * size + i] = setWeight;
                }
                for (var i = 0; i < size; i++) cum[e * size + i] /= setWeight;
                cum[e * size + size - 1] = 1.0;
            }
            _successors[l] = succ;
            _cumulative[l] = cum;
        }
    }

    /// <summary>Successor-set size m.</summary>
    public int Size => _size;

    /// <summary>The successor set of <paramref name="expert"/> at <paramref name="layer"/> (experts at layer+1).</summary>
    public ReadOnlySpan<int> Of(int layer, int expert) => _successors[layer].AsSpan(expert * _size, _size);

    /// <summary>Draws one successor of <paramref name="expert"/> (layer → layer+1).</summary>
    public int Draw(int layer, int expert, SeededRandom random)
    {
        var baseIndex = expert * _size;
        var cum = _cumulative[layer];
        var u = random.NextDouble();
        var i = 0;
        while (i < _size - 1 && cum[baseIndex + i] <= u) i++;
        return _successors[layer][baseIndex + i];
    }

    /// <summary>Experts per layer.</summary>
    public int NumExperts => _experts;
}
