namespace MoESim.Planning;

/// <summary>Every option a capacity plan simulated, and the cheapest one that meets the objective.</summary>
public sealed record CapacityPlan
{
    /// <summary>Name of the planned model.</summary>
    public required string ModelName { get; init; }

    /// <summary>The objective the options were judged by.</summary>
    public required LatencyObjective Objective { get; init; }

    /// <summary>Options by candidate, then replicas.</summary>
    public required IReadOnlyList<CapacityPlanRow> Rows { get; init; }

    /// <summary>The cheapest option meeting the objective, or null if none does.</summary>
    public CapacityPlanRow? Best => Cheapest(Rows);

    /// <summary>
    /// The option meeting the objective with the lowest price per hour; ties go to fewer
    /// devices, then the lower time per output token, then the earlier row.
    /// </summary>
    public static CapacityPlanRow? Cheapest(IEnumerable<CapacityPlanRow> rows)
    {
        CapacityPlanRow? best = null;
        foreach (var row in rows)
        {
            if (!row.MeetsObjective) continue;
            if (best is null || (row.PricePerHourUsd, row.Devices, row.TpotSeconds).CompareTo((best.PricePerHourUsd, best.Devices, best.TpotSeconds)) < 0)
                best = row;
        }
        return best;
    }
}
