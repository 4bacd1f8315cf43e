using MathNet.Numerics.LinearAlgebra;
using MoESim.Hardware.Calibration;

namespace MoESim.Bench.Calibration;

/// <summary>
/// Fits a family's <see cref="FamilyTimeModel"/> on its fit cases. The launch overhead is a
/// measured constant (the empty kernel), not fitted: each point's target is its measured time
/// less kernels × launch. The model is linear in three inverse rates, t = a·(FLOPs/peak) +
/// b·(bytes/bandwidth) + c·threads for the sum form, and the max form t = max(a·FLOPs/peak,
/// b·bytes/bandwidth) + c·threads is linear too once each point is assigned to the term that
/// dominates it. Both are fitted by non-negative weighted least squares (MathNet QR over every
/// active set of columns, weights 1/t so the error minimised is relative), the max form by
/// alternating assignment and refit; the form with the smaller squared relative error on the
/// fit points is kept. a and b are the inverse efficiencies the profile stores, c its seconds
/// per output element.
/// </summary>
public static class FamilyFitter
{
    private const int MaxIterations = 50;

    /// <summary>Fits <paramref name="family"/> on <paramref name="points"/> (at least one).</summary>
    public static FamilyTimeModel Fit(string family, IReadOnlyList<CurvePoint> points, double peakFlopsPerSecond, double bandwidthBytesPerSecond, double launchSeconds)
    {
        if (points.Count == 0) throw new ArgumentException($"no points to fit family {family}", nameof(points));
        var n = points.Count;
        var compute = new double[n];
        var memory = new double[n];
        var threads = new double[n];
        var target = new double[n];
        var weight = new double[n];
        for (var i = 0; i < n; i++)
        {
            var p = points[i];
            compute[i] = p.Flops / peakFlopsPerSecond;
            memory[i] = p.Bytes / bandwidthBytesPerSecond;
            threads[i] = p.Threads;
            target[i] = p.Seconds - p.Kernels * launchSeconds;
            weight[i] = 1 / p.Seconds;
        }
        var sum = NonNegative(new[] { compute, memory, threads }, target, weight);
        var best = (A: sum[0], B: sum[1], C: sum[2], Combine: WorkCombine.Sum);
        var bestError = Error(compute, memory, threads, target, weight, sum[0], sum[1], sum[2], WorkCombine.Sum);
        if (sum[0] > 0 && sum[1] > 0)
        {
            var (a, b, c) = FitMax(compute, memory, threads, target, weight, sum);
            var maxError = Error(compute, memory, threads, target, weight, a, b, c, WorkCombine.Max);
            if (maxError < bestError) best = (a, b, c, WorkCombine.Max);
        }
        if (best.A <= 0 && best.B <= 0)
        {
            // Every point is launch-dominated: keep the smallest term the profile can express.
            var floor = 1 / CalibrationLoader.MaxFactor;
            best = compute.Any(x => x > 0) ? best with { A = floor } : best with { B = floor };
        }
        return new FamilyTimeModel
        {
            Family = family,
            Combine = best.Combine,
            ComputeEfficiency = Efficiency(best.A),
            MemoryEfficiency = Efficiency(best.B),
            SecondsPerOutputElement = best.C,
        };
    }

    /// <summary>
    /// Non-negative weighted least squares of target on the columns: the unconstrained solution of
    /// every subset of non-zero columns, keeping the feasible one with the least weighted error.
    /// Returns one coefficient per column (0 for columns left out).
    /// </summary>
    public static double[] NonNegative(double[][] columns, double[] target, double[] weight)
    {
        var usable = Enumerable.Range(0, columns.Length).Where(j => columns[j].Any(v => v != 0)).ToArray();
        var best = new double[columns.Length];
        var bestError = Residual(columns, best, target, weight);
        for (var mask = 1; mask < 1 << usable.Length; mask++)
        {
            var subset = usable.Where((_, k) => (mask & (1 << k)) != 0).ToArray();
            var solved = Solve(subset.Select(j => columns[j]).ToArray(), target, weight);
            if (solved is null || solved.Any(v => v < 0)) continue;
            var candidate = new double[columns.Length];
            for (var k = 0; k < subset.Length; k++) candidate[subset[k]] = solved[k];
            var error = Residual(columns, candidate, target, weight);
            if (error < bestError) (best, bestError) = (candidate, error);
        }
        return best;
    }

    private static (double A, double B, double C) FitMax(double[] compute, double[] memory, double[] threads, double[] target, double[] weight, double[] start)
    {
        var n = target.Length;
        var (a, b, c) = (start[0], start[1], start[2]);
        var computeBound = new bool[n];
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            var changed = iteration == 0;
            for (var i = 0; i < n; i++)
            {
                var isCompute = a * compute[i] >= b * memory[i];
                changed |= isCompute != computeBound[i];
                computeBound[i] = isCompute;
            }
            if (!changed) break;
            var maskedCompute = compute.Select((x, i) => computeBound[i] ? x : 0).ToArray();
            var maskedMemory = memory.Select((x, i) => computeBound[i] ? 0 : x).ToArray();
            var fit = NonNegative(new[] { maskedCompute, maskedMemory, threads }, target, weight);
            // A side with no points keeps its previous rate, so the assignment can still move.
            a = maskedCompute.Any(x => x > 0) ? fit[0] : a;
            b = maskedMemory.Any(x => x > 0) ? fit[1] : b;
            c = fit[2];
            if (a <= 0 || b <= 0) break;
        }
        return (a, b, c);
    }

    private static double[]? Solve(double[][] columns, double[] target, double[] weight)
    {
        var n = target.Length;
        if (n < columns.Length) return null;
        var a = Matrix<double>.Build.Dense(n, columns.Length, (i, j) => columns[j][i] * weight[i]);
        var y = Vector<double>.Build.Dense(n, i => target[i] * weight[i]);
        var qr = a.QR();
        for (var j = 0; j < columns.Length; j++)
            if (Math.Abs(qr.R[j, j]) < 1e-10 * a.Column(j).L2Norm()) return null; // collinear columns
        return qr.Solve(y).ToArray();
    }

    private static double Residual(double[][] columns, double[] coefficients, double[] target, double[] weight)
    {
        var sum = 0.0;
        for (var i = 0; i < target.Length; i++)
        {
            var predicted = 0.0;
            for (var j = 0; j < columns.Length; j++) predicted += coefficients[j] * columns[j][i];
            var r = (predicted - target[i]) * weight[i];
            sum += r * r;
        }
        return sum;
    }

    /// <summary>Σ ((predicted − target) / t)² for the given coefficients and form.</summary>
    public static double Error(double[] compute, double[] memory, double[] threads, double[] target, double[] weight, double a, double b, double c, WorkCombine combine)
    {
        var sum = 0.0;
        for (var i = 0; i < target.Length; i++)
        {
            var work = combine == WorkCombine.Sum ? a * compute[i] + b * memory[i] : Math.Max(a * compute[i], b * memory[i]);
            var r = (work + c * threads[i] - target[i]) * weight[i];
            sum += r * r;
        }
        return sum;
    }

    private static double? Efficiency(double inverse) => inverse > 0 ? Math.Min(1 / inverse, CalibrationLoader.MaxFactor) : null;
}
