namespace MoESim.Placement;

/// <summary>
/// Expert weights that move when one placement replaces another, and the time to move them
/// (see <see cref="MigrationCost"/> for the model).
/// </summary>
public sealed record PlacementMigration
{
    /// <summary>Expert copies (layer, expert, device) hosted in the new placement but not in the old, ≥ 0.</summary>
    public required long CopiesMoved { get; init; }

    /// <summary>Per device: bytes of expert weights that must arrive, ≥ 0.</summary>
    public required double[] DeviceInBytes { get; init; }

    /// <summary>Bytes of expert weights moved in all (copies moved × bytes per expert), ≥ 0.</summary>
    public required double Bytes { get; init; }

    /// <summary>The slowest device's transfer time, seconds, ≥ 0 (devices transfer in parallel).</summary>
    public required double Seconds { get; init; }

    /// <summary>No copy moves.</summary>
    public static PlacementMigration None(int devices) => new() { CopiesMoved = 0, DeviceInBytes = new double[devices], Bytes = 0, Seconds = 0 };
}
