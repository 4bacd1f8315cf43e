using System.Runtime.CompilerServices;
using System.Numerics;

namespace MoESim.Traces.Statistics;

/// <summary>Affinity measures of a co-activation matrix C[e, e'] (layer l rows, layer l+1 columns).</summary>
public static class AffinityMeasures
{
    /// <summary>Coverage, independence baseline, α estimate and mutual information of one pair (see <see cref="LayerPairAffinity"/>).</summary>
    /// <remarks>
    /// Mutual information is computed as (Σ c ln c − Σ_e r ln r − Σ_e' s ln s) / N + ln N (r, s
    /// the row and column sums, N the total), the same sum as Σ p ln(p / (p_e p_e')) regrouped
    /// so that most logarithms come from a table of small integers.
    /// </remarks>
    public static LayerPairAffinity Measure(int layer, int[]? coactivation, int experts, int topM) =>
        coactivation is null ? Empty(layer) : Measure<int>(layer, coactivation, experts, topM);

    /// <summary>The same for counts of any integer width (<see cref="CoactivationMatrix"/> keeps 16-bit cells).</summary>
    internal static LayerPairAffinity Measure<T>(int layer, ReadOnlySpan<T> coactivation, int experts, int topM) where T : unmanaged, IBinaryInteger<T>
    {
        var rowSums = new long[experts];
        var columnSums = new long[experts];
        double cLogC = 0;
        for (var a = 0; a < experts; a++)
        {
            var row = coactivation.Slice(a * experts, experts);
            long sum = 0;
            for (var b = 0; b < row.Length; b++)
            {
                var c = long.CreateTruncating(row[b]);
                sum += c;
                columnSums[b] += c;
                cLogC += XLogX(c);
            }
            rowSums[a] = sum;
        }
        long totalCount = 0;
        foreach (var r in rowSums) totalCount += r;
        if (totalCount == 0) return Empty(layer);
        double total = totalCount;
        double covered = 0, independent = 0, marginalLogs = 0;
        Span<int> top = stackalloc int[topM];
        for (var a = 0; a < experts; a++)
        {
            marginalLogs += XLogX(rowSums[a]) + XLogX(columnSums[a]);
            if (rowSums[a] == 0) continue;
            var row = coactivation.Slice(a * experts, experts);
            TopColumns(row, top);
            double rowCovered = 0, columnMass = 0;
            foreach (var b in top) { rowCovered += long.CreateTruncating(row[b]); columnMass += columnSums[b] / total; }
            covered += rowCovered / total;
            independent += rowSums[a] / total * columnMass;
        }
        var information = (cLogC - marginalLogs) / total + Math.Log(total);
        var nonZeroRows = rowSums.Count(r => r > 0);
        var nonZeroColumns = columnSums.Count(c => c > 0);
        return new LayerPairAffinity
        {
            Layer = layer,
            TopMCoverage = covered,
            IndependentCoverage = independent,
            ExcessCoverage = independent >= 1 ? 0 : (covered - independent) / (1 - independent),
            MutualInformationNats = Math.Max(0, information),
            IndependentMutualInformationNats = (nonZeroRows - 1.0) * (nonZeroColumns - 1.0) / (2 * total),
        };
    }

    private static readonly double[] SmallXLogX = Enumerable.Range(0, 4096).Select(x => x == 0 ? 0 : x * Math.Log(x)).ToArray();

    // x ln x for a count (0 for 0).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double XLogX(long x) => x < SmallXLogX.Length ? SmallXLogX[x] : x * Math.Log(x);

    /// <summary>Row-normalised matrix P(e'|e); rows without data are zero.</summary>
    public static double[][] Conditional(int[]? coactivation, int experts)
    {
        var matrix = new double[experts][];
        for (var a = 0; a < experts; a++)
        {
            matrix[a] = new double[experts];
            if (coactivation is null) continue;
            double sum = 0;
            for (var b = 0; b < experts; b++) sum += coactivation[a * experts + b];
            if (sum == 0) continue;
            for (var b = 0; b < experts; b++) matrix[a][b] = coactivation[a * experts + b] / sum;
        }
        return matrix;
    }

    // The m largest entries, largest first, ties to the lower index: one pass, inserting each
    // column after the kept entries at least as large (they have lower indices).
    private static void TopColumns<T>(ReadOnlySpan<T> row, Span<int> top) where T : unmanaged, IBinaryInteger<T>
    {
        var kept = 0;
        for (var b = 0; b < row.Length; b++)
        {
            var v = row[b];
            if (kept == top.Length && v <= row[top[kept - 1]]) continue;
            var at = Math.Min(kept, top.Length - 1);
            while (at > 0 && row[top[at - 1]] < v) { top[at] = top[at - 1]; at--; }
            top[at] = b;
            if (kept < top.Length) kept++;
        }
    }

    private static LayerPairAffinity Empty(int layer) => new()
    {
        Layer = layer,
        TopMCoverage = double.NaN,
        IndependentCoverage = double.NaN,
        ExcessCoverage = double.NaN,
        MutualInformationNats = double.NaN,
        IndependentMutualInformationNats = double.NaN,
    };
}
