namespace MoESim.Traces.Statistics;

/// <summary>Affinity measures of a co-activation matrix C[e, e'] (layer l rows, layer l+1 columns).</summary>
public static class AffinityMeasures
{
    /// <summary>Coverage, independence baseline, α estimate and mutual information of one pair (see <see cref="LayerPairAffinity"/>).</summary>
    public static LayerPairAffinity Measure(int layer, int[]? coactivation, int experts, int topM)
    {
        if (coactivation is null) return Empty(layer);
        var rows = new double[experts];
        var columns = new double[experts];
        double total = 0;
        for (var a = 0; a < experts; a++)
            for (var b = 0; b < experts; b++)
            {
                double c = coactivation[a * experts + b];
                rows[a] += c;
                columns[b] += c;
                total += c;
            }
        if (total == 0) return Empty(layer);
        double covered = 0, independent = 0, information = 0;
        Span<int> top = stackalloc int[topM];
        for (var a = 0; a < experts; a++)
        {
            if (rows[a] == 0) continue;
            var row = coactivation.AsSpan(a * experts, experts);
            TopColumns(row, top);
            double rowCovered = 0, columnMass = 0;
            foreach (var b in top) { rowCovered += row[b]; columnMass += columns[b] / total; }
            covered += rowCovered / total;
            independent += rows[a] / total * columnMass;
            for (var b = 0; b < experts; b++)
                if (row[b] > 0) information += row[b] / total * Math.Log(row[b] * total / (rows[a] * columns[b]));
        }
        var nonZeroRows = rows.Count(r => r > 0);
        var nonZeroColumns = columns.Count(c => c > 0);
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

    // The m largest entries (ties to the lower index), by repeated selection: m is small.
    private static void TopColumns(ReadOnlySpan<int> row, Span<int> top)
    {
        for (var i = 0; i < top.Length; i++)
        {
            var best = -1;
            for (var b = 0; b < row.Length; b++)
            {
                if (top[..i].Contains(b)) continue;
                if (best < 0 || row[b] > row[best]) best = b;
            }
            top[i] = best;
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
