namespace MoESim.Hardware;

/// <summary>
/// Sane bounds for profile numbers, in the units of their YAML keys. They are far outside any
/// real hardware, and they keep a typo (1e9 for 1e-9, an exponent too many) from turning into a
/// run that passes the simulated clock's range (<see cref="Units.SimTime.MaxSeconds"/>) or a
/// silent nonsense result: the loader reports the key with its file, line and column instead.
/// </summary>
public static class ProfileLimits
{
    /// <summary>Slowest link or memory bandwidth accepted: 0.001 GB/s (1 MB/s).</summary>
    public const double MinBandwidthGBps = 0.001;

    /// <summary>Fastest link or memory bandwidth accepted: 1,000,000,000 GB/s (keeps bytes per second finite).</summary>
    public const double MaxBandwidthGBps = 1e9;

    /// <summary>Longest link, switch or host-link latency accepted: 1,000,000 µs (1 s).</summary>
    public const double MaxLatencyUs = 1_000_000;

    /// <summary>Longest kernel launch overhead accepted: 1,000,000 µs (1 s).</summary>
    public const double MaxKernelLaunchOverheadUs = 1_000_000;

    /// <summary>Lowest compute or memory efficiency accepted: 0.001 (0.1 % of peak).</summary>
    public const double MinEfficiency = 0.001;

    /// <summary>Lowest compute peak accepted: 0.000001 TFLOPS or TOPS (1 MFLOP/s; the CPU accelerator measures ~0.0002).</summary>
    public const double MinPeakTflops = 0.000_001;

    /// <summary>Largest memory tier accepted: 1,000,000 GiB or GB (about 1 PB; a byte count that stays finite through every sum).</summary>
    public const double MaxMemoryCapacity = 1_000_000;
}
