using System.Runtime.CompilerServices;
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
    private readonly int[][] _successors; // [layer][expert * m + i]
    private readonly ulong[][] _packed;   // [layer][expert * m + i] = within-set cumulative weight as 32-bit threshold << 32 | successor

    /// <summary>Builds sets of <paramref name="size"/> successors weighted by <paramref name="popularity"/> of the next layer.</summary>
    public SuccessorSets(int layers, int experts, int size, ExpertPopularityTable popularity, SeededRandom random)
    {
        _size = size;
        _experts = experts;
        _successors = new int[Math.Max(0, layers - 1)][];
        _packed = new ulong[Math.Max(0, layers - 1)][];
        for (var l = 0; l + 1 < layers; l++)
        {
            var next = popularity.Inclusion(l + 1);
            var succ = new int[experts * size];
            var packed = new ulong[experts * size];
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
                for (var i = 0; i < size; i++) setWeight += Math.Max(next[succ[e * size + i]], 1e-12);
                double cumulative = 0;
                for (var i = 0; i < size; i++)
                {
                    cumulative += Math.Max(next[succ[e * size + i]], 1e-12);
                    // The last member takes whatever is left (its threshold is never read).
                    var threshold = i == size - 1 ? uint.MaxValue : (uint)Math.Min(Math.Round(cumulative / setWeight * 4294967296.0), uint.MaxValue);
                    packed[e * size + i] = ((ulong)threshold << 32) | (uint)succ[e * size + i];
                }
            }
            _successors[l] = succ;
            _packed[l] = packed;
        }
    }

    /// <summary>Successor-set size m.</summary>
    public int Size => _size;

    /// <summary>The successor set of <paramref name="expert"/> at <paramref name="layer"/> (experts at layer+1).</summary>
    public ReadOnlySpan<int> Of(int layer, int expert) => _successors[layer].AsSpan(expert * _size, _size);

    /// <summary>
    /// Draws one successor of <paramref name="expert"/> (layer → layer+1) from the low 32 bits of
    /// <paramref name="random"/>: member i with probability ∝ its popularity (to 2⁻³²).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Draw(int layer, int expert, ulong random) => Draw(_packed[layer], _size, expert, random);

    /// <summary>The packed sets from <paramref name="layer"/> to layer + 1, for loops that hoist them (see <see cref="Draw(ReadOnlySpan{ulong}, int, int, ulong)"/>).</summary>
    internal ReadOnlySpan<ulong> Packed(int layer) => _packed[layer];

    /// <summary>Draws a successor of <paramref name="expert"/> from <paramref name="packed"/> sets of <paramref name="size"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Draw(ReadOnlySpan<ulong> packed, int size, int expert, ulong random)
    {
        var set = packed.Slice(expert * size, size);
        var u = (uint)random;
        // Thresholds rise along the set: the member is the count of thresholds at or below u,
        // summed without branches (each compare is a coin flip a branch would mispredict).
        var i = 0;
        for (var m = 0; m < set.Length - 1; m++) i += (int)(((long)(set[m] >> 32) - 1 - u) >>> 63);
        return (int)(uint)set[i];
    }

    /// <summary>Experts per layer.</summary>
    public int NumExperts => _experts;
}
