namespace MoESim.Plots;

/// <summary>One operator placed on the roofline: where it sits and how fast it ran.</summary>
public sealed record RooflinePoint
{
    /// <summary>Workload the point belongs to, e.g. "decode b=64"; one colour per series.</summary>
    public required string Series { get; init; }

    /// <summary>Operator kind, e.g. "attention", "expert FFN", "router"; one marker shape per kind.</summary>
    public required string OperatorKind { get; init; }

    /// <summary>Arithmetic intensity in FLOP per byte of memory traffic; must be &gt; 0.</summary>
    public required double ArithmeticIntensityFlopsPerByte { get; init; }

    /// <summary>Achieved (or predicted) compute throughput in FLOP/s; must be &gt; 0.</summary>
    public required double AchievedFlopsPerSecond { get; init; }
}
