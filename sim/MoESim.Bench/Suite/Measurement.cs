namespace MoESim.Bench.Suite;

/// <summary>One benchmarked case and its measured time (a row of the measured CSV).</summary>
public sealed record Measurement
{
    public required string Family { get; init; }
    public required string Variant { get; init; }
    public required string Shape { get; init; }
    public required IReadOnlyList<WorkComponent> Components { get; init; }
    public required TimingStatistics Timing { get; init; }

    /// <summary>True when calibration fitted on this case.</summary>
    public required bool Fit { get; init; }

    /// <summary>Worst relative error of the checked output elements against the C# reference.</summary>
    public required double MaxRelativeError { get; init; }

    public double Flops => Components.Sum(c => c.Flops);
    public double Bytes => Components.Sum(c => c.Bytes);
    public int Kernels => Components.Sum(c => c.Kernels);
    public double Threads => Components.Sum(c => c.Threads);
    public double MedianSeconds => Timing.MedianSeconds;

    /// <summary>
    /// The time calibration and validation use: the 10th percentile of the runs. On a shared
    /// machine other processes only ever add time, so the low quantile is the kernel's own time
    /// and the median carries whatever load happened to run beside it.
    /// </summary>
    public double Seconds => Timing.P10Seconds;
}
