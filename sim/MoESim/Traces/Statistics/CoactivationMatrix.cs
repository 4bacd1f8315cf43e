using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MoESim.Traces.Statistics;

/// <summary>
/// Co-activation counts C[e, e'] of one adjacent layer pair (l, l+1) in one phase: each token adds
/// its k × k (expert at l, expert at l + 1) pairs.
/// </summary>
/// <remarks>
/// Counts live in 16-bit cells (E² × 2 bytes: 128 KiB for 256 experts, half the memory and cache
/// footprint of ints). A token adds at most 1 to a cell (its k experts at a layer are distinct),
/// so after 65,535 tokens the cells are folded into a 32-bit matrix, allocated only then.
/// </remarks>
internal sealed class CoactivationMatrix
{
    private readonly int _experts;
    private readonly ushort[] _recent;
    private int[]? _folded;
    private int _tokensSinceFold;

    public CoactivationMatrix(int experts)
    {
        _experts = experts;
        _recent = new ushort[experts * experts];
    }

    /// <summary>Adds the pairs of the tokens whose ids at l and l+1 are <paramref name="layer"/> and <paramref name="next"/> (tokens × k each, in range).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(ReadOnlySpan<ushort> layer, ReadOnlySpan<ushort> next, int k)
    {
        var tokens = layer.Length / k;
        for (var start = 0; start < tokens;)
        {
            var chunk = Math.Min(tokens - start, ushort.MaxValue - _tokensSinceFold);
            if (chunk == 0)
            {
                Fold();
                continue;
            }
            AddTokens(layer.Slice(start * k, chunk * k), next.Slice(start * k, chunk * k), k);
            _tokensSinceFold += chunk;
            start += chunk;
        }
    }

    private void AddTokens(ReadOnlySpan<ushort> layer, ReadOnlySpan<ushort> next, int k)
    {
        ref var matrix = ref MemoryMarshal.GetArrayDataReference(_recent);
        for (var t = 0; t < layer.Length; t += k)
        {
            var columns = next.Slice(t, k);
            for (var i = 0; i < k; i++)
            {
                ref var row = ref Unsafe.Add(ref matrix, layer[t + i] * _experts);
                foreach (var b in columns) Unsafe.Add(ref row, b)++;
            }
        }
    }

    private void Fold()
    {
        _folded ??= new int[_recent.Length];
        for (var i = 0; i < _recent.Length; i++) _folded[i] += _recent[i];
        Array.Clear(_recent);
        _tokensSinceFold = 0;
    }

    /// <summary>Affinity of the pair (see <see cref="AffinityMeasures.Measure(int, int[], int, int)"/>).</summary>
    public LayerPairAffinity Measure(int layer, int topM) => _folded is null
        ? AffinityMeasures.Measure<ushort>(layer, _recent, _experts, topM)
        : AffinityMeasures.Measure(layer, Counts(), _experts, topM);

    /// <summary>The counts as [e * experts + e'].</summary>
    public int[] Counts()
    {
        var counts = new int[_recent.Length];
        for (var i = 0; i < counts.Length; i++) counts[i] = _recent[i] + (_folded?[i] ?? 0);
        return counts;
    }
}
