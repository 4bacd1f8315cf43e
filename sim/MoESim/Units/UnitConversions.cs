namespace MoESim.Units;

/// <summary>
/// Conversion factors from the human units used in YAML keys to SI base units. Loaders convert
/// once; everything past the loader works in bytes, seconds, FLOP/s and bytes/s.
/// </summary>
public static class UnitConversions
{
    public const double BytesPerGiB = 1024.0 * 1024 * 1024;
    public const double BytesPerGB = 1e9;
    public const double BytesPerMiB = 1024.0 * 1024;
    public const double FlopsPerTflop = 1e12;
    public const double BytesPerSecondPerGBps = 1e9;
    public const double SecondsPerMicrosecond = 1e-6;
    public const double SecondsPerMillisecond = 1e-3;
}
