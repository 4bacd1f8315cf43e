namespace MoESim.Cost;

/// <summary>One batch setting of a roofline study and its per-operator costs.</summary>
public sealed record RooflineSeries(string Name, BatchShape Batch, int DistinctExperts, IReadOnlyList<OperatorCost> Operators);
