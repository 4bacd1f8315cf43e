using MoESim.Hardware;

namespace MoESim.Cost;

/// <summary>
/// The reference time model: time = max(FLOPs / (peak × compute efficiency),
/// bytes / (bandwidth × memory efficiency)) + kernels × launch overhead, with per-operator
/// efficiencies from the device profile.
/// </summary>
public sealed class RooflineTimeModel : IOperatorTimeModel
{
    private readonly DeviceProfile _device;
    private readonly double[] _peakByType; // resolved once: Seconds() runs per operator per pass

    public RooflineTimeModel(DeviceProfile device)
    {
        _device = device;
        _peakByType = Enum.GetValues<Units.DataType>().Select(device.PeakFor).ToArray();
    }

    public double MemoryBandwidthBytesPerSecond => _device.MainMemory.BandwidthBytesPerSecond;

    public double PeakFlopsPerSecond(Units.DataType type) => _peakByType[(int)type];

    public double Seconds(in OperatorWork work)
    {
        if (work.Flops <= 0 && work.TotalBytes <= 0) return 0;
        var eff = _device.EfficiencyFor(work.Kind);
        var compute = work.Flops / (_peakByType[(int)work.ComputeType] * eff.Compute);
        var memory = work.TotalBytes / (_device.MainMemory.BandwidthBytesPerSecond * eff.Memory);
        return Math.Max(compute, memory) + work.Kernels * _device.KernelLaunchOverheadSeconds;
    }
}
