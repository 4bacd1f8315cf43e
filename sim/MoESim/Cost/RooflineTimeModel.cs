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

    public RooflineTimeModel(DeviceProfile device) => _device = device;

    public double MemoryBandwidthBytesPerSecond => _device.MainMemory.BandwidthBytesPerSecond;

    public double PeakFlopsPerSecond(Units.DataType type) => _device.PeakFor(type);

    public double Seconds(in OperatorWork work)
    {
        if (work.Flops <= 0 && work.TotalBytes <= 0) return 0;
        var eff = _device.EfficiencyFor(work.Kind);
        var compute = work.Flops / (_device.PeakFor(work.ComputeType) * eff.Compute);
        var memory = work.TotalBytes / (_device.MainMemory.BandwidthBytesPerSecond * eff.Memory);
        return Math.Max(compute, memory) + work.Kernels * _device.KernelLaunchOverheadSeconds;
    }
}
