namespace MoESim.Bench.Suite;

/// <summary>Everything one suite run measured.</summary>
public sealed record SuiteResult
{
    /// <summary>Device name as ILGPU reports it.</summary>
    public required string DeviceName { get; init; }

    /// <summary>File-name form of the device, e.g. "cpu-accelerator".</summary>
    public required string DeviceSlug { get; init; }

    /// <summary>True for a CUDA device.</summary>
    public required bool IsGpu { get; init; }

    /// <summary>Date of the run (yyyy-mm-dd), used in file names and source comments.</summary>
    public required string Date { get; init; }

    public required SuiteSize Size { get; init; }

    /// <summary>Median time of launching and synchronising an empty kernel, seconds.</summary>
    public required double LaunchOverheadSeconds { get; init; }

    /// <summary>Host-to-device copy rate, bytes per second.</summary>
    public required double HostToDeviceBytesPerSecond { get; init; }

    /// <summary>Device memory the accelerator reports (or the machine's available memory for the CPU accelerator), bytes.</summary>
    public required double DeviceMemoryBytes { get; init; }

    public required IReadOnlyList<Measurement> Measurements { get; init; }
    public required IReadOnlyList<SkippedCase> Skipped { get; init; }
}
