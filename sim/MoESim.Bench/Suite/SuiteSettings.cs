namespace MoESim.Bench.Suite;

/// <summary>Grid and timing settings of one suite size.</summary>
public sealed record SuiteSettings
{
    public required SuiteSize Size { get; init; }

    /// <summary>Model dimensions are divided by this (≥ 1) and rounded to a multiple of 16, at least 32.</summary>
    public required int DimensionDivisor { get; init; }

    /// <summary>Largest tokens-per-expert M of the GEMM grid (M runs over powers of two from 1).</summary>
    public required int MaxTokens { get; init; }

    /// <summary>Untimed runs before timing (the first also compiles nothing: kernels are loaded up front).</summary>
    public required int WarmupRuns { get; init; }

    /// <summary>Timed runs at least / at most; runs stop once <see cref="TargetSecondsPerCase"/> is spent.</summary>
    public required int MinRepetitions { get; init; }
    public required int MaxRepetitions { get; init; }
    public required double TargetSecondsPerCase { get; init; }

    /// <summary>
    /// Passes over the whole suite (≥ 1). Each pass builds every case again and times its share of
    /// the repetitions, so a burst of load from other processes spreads over many cases instead of
    /// biasing a few; the median is taken over all passes' runs.
    /// </summary>
    public int Passes { get; init; } = 1;

    /// <summary>Cases whose estimated single-run time exceeds this are skipped (and listed), seconds.</summary>
    public required double MaxSecondsPerRun { get; init; }

    /// <summary>Largest share of device memory one case may allocate (0, 1].</summary>
    public double MaxMemoryFraction { get; init; } = 0.4;

    /// <summary>Largest relative error against the C# reference before a case counts as wrong.</summary>
    public double RelativeTolerance { get; init; } = 2e-3;

    public static SuiteSettings For(SuiteSize size) => size switch
    {
        SuiteSize.Quick => new SuiteSettings
        {
            Size = size, DimensionDivisor = 16, MaxTokens = 256, WarmupRuns = 1, MinRepetitions = 3, MaxRepetitions = 15,
            TargetSecondsPerCase = 0.05, MaxSecondsPerRun = 0.25, Passes = 2,
        },
        SuiteSize.Medium => new SuiteSettings
        {
            Size = size, DimensionDivisor = 4, MaxTokens = 1024, WarmupRuns = 1, MinRepetitions = 3, MaxRepetitions = 15,
            TargetSecondsPerCase = 0.25, MaxSecondsPerRun = 0.3, Passes = 2,
        },
        _ => new SuiteSettings
        {
            Size = size, DimensionDivisor = 1, MaxTokens = 4096, WarmupRuns = 2, MinRepetitions = 10, MaxRepetitions = 100,
            TargetSecondsPerCase = 1.0, MaxSecondsPerRun = 2.0,
        },
    };
}
