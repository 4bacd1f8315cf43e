namespace MoESim.Hardware;

/// <summary>
/// Fractions of peak that real kernels reach: achieved = peak × efficiency. Both in (0, 1].
/// </summary>
public sealed record Efficiency
{
    /// <summary>Fraction of peak FLOP/s a kernel of this kind reaches (0, 1].</summary>
    public required double Compute { get; init; }

    /// <summary>Fraction of peak memory bandwidth a kernel of this kind reaches (0, 1].</summary>
    public required double Memory { get; init; }
}
