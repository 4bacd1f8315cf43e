namespace MoESim.Bench.Cases;

/// <summary>Plain C# (double-precision) reference arithmetic the kernels are checked against.</summary>
public static class ReferenceMath
{
    /// <summary>Σ_j a[a0 + j·aStride] · b[b0 + j·bStride] for j in [0, count).</summary>
    public static double Dot(float[] a, long a0, long aStride, float[] b, long b0, long bStride, int count)
    {
        var sum = 0.0;
        for (var j = 0; j < count; j++) sum += (double)a[a0 + j * aStride] * b[b0 + j * bStride];
        return sum;
    }

    /// <summary>SiLU: x · sigmoid(x).</summary>
    public static double Silu(double x) => x / (1 + Math.Exp(-x));

    /// <summary>
    /// One row's SwiGLU activations a[i] = silu(x·Wg[:, i]) · (x·Wu[:, i]), x = row
    /// <paramref name="row"/> of X [·×H], weights [H×I] starting at <paramref name="w0"/>.
    /// </summary>
    public static double[] SwiGluRow(float[] x, long row, float[] wg, float[] wu, long w0, int h, int i)
    {
        var a = new double[i];
        for (var c = 0; c < i; c++)
            a[c] = Silu(Dot(x, row * h, 1, wg, w0 + c, i, h)) * Dot(x, row * h, 1, wu, w0 + c, i, h);
        return a;
    }

    /// <summary>Σ_j a[j] · wd[w0 + j·h + col] over the I activations of one row.</summary>
    public static double Down(double[] a, float[] wd, long w0, int h, int col)
    {
        var sum = 0.0;
        for (var j = 0; j < a.Length; j++) sum += a[j] * wd[w0 + (long)j * h + col];
        return sum;
    }
}
