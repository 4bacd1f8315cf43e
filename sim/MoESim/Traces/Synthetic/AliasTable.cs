using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MoESim.Traces.Synthetic;

/// <summary>
/// Walker/Vose alias table: draws an index i with probability w_i / Σw from one 64-bit random
/// word in O(1) (one table load and one compare), whatever the number of outcomes.
/// </summary>
/// <remarks>
/// The high 32 bits of the word pick a column (multiply-shift, bias below n / 2³²), the low 32
/// bits decide between the column and its alias against a 32-bit threshold, so probabilities are
/// exact to about 2⁻³² each. Each column is one packed <c>ulong</c> (threshold in the high half,
/// alias in the low half): a draw touches a single cache line.
/// </remarks>
public sealed class AliasTable
{
    private readonly ulong[] _columns;

    /// <summary>
    /// Builds the table from non-negative <paramref name="weights"/> (any scale, finite, positive
    /// sum; 1..2³¹ − 1 outcomes).
    /// </summary>
    public AliasTable(ReadOnlySpan<double> weights)
    {
        var n = weights.Length;
        if (n < 1) throw new ArgumentException("an alias table needs at least one outcome", nameof(weights));
        var sum = 0.0;
        foreach (var w in weights)
        {
            if (!(w >= 0) || !double.IsFinite(w)) throw new ArgumentException("weights must be finite and ≥ 0", nameof(weights));
            sum += w;
        }
        if (!(sum > 0)) throw new ArgumentException("weights sum to zero", nameof(weights));
        var scaled = new double[n];
        var alias = new int[n];
        var small = new Stack<int>();
        var large = new Stack<int>();
        for (var i = 0; i < n; i++)
        {
            scaled[i] = weights[i] * n / sum;
            alias[i] = i;
            (scaled[i] < 1.0 ? small : large).Push(i);
        }
        // Vose: pair each under-full column with an over-full donor until one list empties.
        while (small.Count > 0 && large.Count > 0)
        {
            var s = small.Pop();
            var l = large.Peek();
            alias[s] = l;
            scaled[l] -= 1.0 - scaled[s];
            if (scaled[l] < 1.0) small.Push(large.Pop());
        }
        // Whatever is left is full up to rounding: keep its own index.
        while (large.Count > 0) scaled[large.Pop()] = 1.0;
        while (small.Count > 0) scaled[small.Pop()] = 1.0;
        _columns = new ulong[n];
        for (var i = 0; i < n; i++)
        {
            // A full column never takes its alias: make the alias itself, so the threshold's
            // 2⁻³² shortfall at 1.0 cannot matter.
            var threshold = scaled[i] >= 1.0 ? uint.MaxValue : (uint)Math.Clamp(Math.Round(scaled[i] * 4294967296.0), 0, uint.MaxValue);
            var a = scaled[i] >= 1.0 ? i : alias[i];
            _columns[i] = ((ulong)threshold << 32) | (uint)a;
        }
    }

    /// <summary>Number of outcomes.</summary>
    public int Count => _columns.Length;

    /// <summary>Draws an index in [0, <see cref="Count"/>) from 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Draw(ulong random) => Draw(_columns, random);

    /// <summary>The packed columns, for loops that hoist the table out (see <see cref="Draw(ReadOnlySpan{ulong}, ulong)"/>).</summary>
    internal ReadOnlySpan<ulong> Columns => _columns;

    /// <summary>Draws from packed <paramref name="columns"/> (as <see cref="Columns"/>) and 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Draw(ReadOnlySpan<ulong> columns, ulong random)
    {
        // i < Length by the multiply-shift: no bounds check needed.
        var i = (int)(((random >> 32) * (ulong)(uint)columns.Length) >> 32);
        var column = Unsafe.Add(ref MemoryMarshal.GetReference(columns), i);
        // Branch-free select (the compare is a coin flip, a branch would mispredict half the
        // time): keep is all ones when the low 32 bits fall under the threshold.
        var keep = (int)(((long)(uint)random - (long)(column >> 32)) >> 63);
        return (i & keep) | ((int)(uint)column & ~keep);
    }
}
