namespace MoESim.Cost;

/// <summary>
/// The work of one operator in one pass: floating-point operations and bytes moved to and from
/// main memory, split by what the bytes are (weights, activations, KV cache).
/// </summary>
public readonly record struct OperatorWork
{
    public required string Name { get; init; }

    /// <summary>One of <see cref="OperatorKinds"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>Floating-point (or integer) operations; a multiply-add counts 2.</summary>
    public required double Flops { get; init; }

    /// <summary>Weight bytes read from main memory.</summary>
    public required double WeightBytes { get; init; }

    /// <summary>Activation bytes read and written.</summary>
    public required double ActivationBytes { get; init; }

    /// <summary>KV-cache bytes read and written.</summary>
    public required double KvCacheBytes { get; init; }

    /// <summary>Data type whose peak rate the operator's math runs at.</summary>
    public required Units.DataType ComputeType { get; init; }

    /// <summary>Kernels launched (each pays the device's launch overhead).</summary>
    public required int Kernels { get; init; }

    /// <summary>
    /// Output elements the operator produces across its kernels (a one-thread-per-output kernel
    /// launches this many threads); 0 when unknown. Only calibrated profiles with a per-element
    /// cost use it.
    /// </summary>
    public double OutputElements { get; init; }

    public double TotalBytes => WeightBytes + ActivationBytes + KvCacheBytes;

    /// <summary>Arithmetic intensity (Op/B), FLOP per byte of memory traffic.</summary>
    public double ArithmeticIntensity => TotalBytes > 0 ? Flops / TotalBytes : double.PositiveInfinity;
}
