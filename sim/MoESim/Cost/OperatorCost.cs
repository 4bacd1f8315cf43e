namespace MoESim.Cost;

/// <summary>An operator's work and time for one layer, and how many layers run it per pass.</summary>
public readonly record struct OperatorCost(OperatorWork Work, double Seconds, int LayerCount)
{
    /// <summary>Achieved rate, FLOP/s (work over time including overheads).</summary>
    public double AchievedFlopsPerSecond => Seconds > 0 ? Work.Flops / Seconds : 0;
}
