namespace MoESim.Cost;

/// <summary>Time and work of one forward pass over all layers.</summary>
public readonly record struct IterationCost(double Seconds, double Flops, double Bytes);
