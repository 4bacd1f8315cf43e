namespace MoESim.Traces.Statistics;

/// <summary>Load-imbalance measures of per-expert selection counts.</summary>
public static class LoadMeasures
{
    /// <summary>Busiest expert over the mean, ≥ 1; NaN when there are no selections.</summary>
    public static double MaxOverMean(ReadOnlySpan<long> loads)
    {
        long max = 0, sum = 0;
        foreach (var x in loads) { sum += x; if (x > max) max = x; }
        return sum == 0 ? double.NaN : max / (sum / (double)loads.Length);
    }

    /// <summary>Population standard deviation over the mean, ≥ 0; NaN when there are no selections.</summary>
    public static double CoefficientOfVariation(ReadOnlySpan<long> loads)
    {
        double sum = 0, squares = 0;
        foreach (var x in loads) { sum += x; squares += (double)x * x; }
        if (sum == 0) return double.NaN;
        var mean = sum / loads.Length;
        return Math.Sqrt(Math.Max(0, squares / loads.Length - mean * mean)) / mean;
    }

    /// <summary>Gini coefficient, 0 (all equal) .. (n−1)/n (one expert takes all); NaN when there are no selections.</summary>
    public static double Gini(ReadOnlySpan<long> loads)
    {
        var sorted = loads.ToArray();
        Array.Sort(sorted);
        double sum = 0, weighted = 0;
        for (var i = 0; i < sorted.Length; i++) { sum += sorted[i]; weighted += (i + 1.0) * sorted[i]; }
        var n = sorted.Length;
        return sum == 0 ? double.NaN : 2 * weighted / (n * sum) - (n + 1.0) / n;
    }

    /// <summary>
    /// Zipf-exponent estimate: minus the least-squares slope of log(load) against log(rank + 1),
    /// loads sorted descending, zero loads left out. NaN with fewer than two non-zero loads.
    /// </summary>
    public static double ZipfExponent(ReadOnlySpan<long> loads)
    {
        var sorted = loads.ToArray();
        Array.Sort(sorted);
        Array.Reverse(sorted);
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        var n = 0;
        for (var r = 0; r < sorted.Length && sorted[r] > 0; r++, n++)
        {
            var x = Math.Log(r + 1.0);
            var y = Math.Log(sorted[r]);
            sx += x; sy += y; sxx += x * x; sxy += x * y;
        }
        if (n < 2) return double.NaN;
        return -(n * sxy - sx * sy) / (n * sxx - sx * sx);
    }
}
