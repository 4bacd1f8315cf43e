using MoESim.Hardware;
using MoESim.Hardware.Calibration;

namespace MoESim.Cost;

/// <summary>
/// Time model driven by measured per-family models: time = kernels × launch overhead +
/// combine(FLOPs / (peak × compute efficiency), bytes / (bandwidth × memory efficiency)) +
/// output elements × seconds per element, with
/// the family the profile's calibration assigns to the operator's kind (see
/// <see cref="FamilyTimeModel"/>). Operator kinds without a family use the profile's static
/// efficiencies exactly as <see cref="RooflineTimeModel"/> (the reference implementation) does;
/// a family with combine = max and efficiencies c, c agrees with that roofline.
/// </summary>
public sealed class CalibratedTimeModel : IOperatorTimeModel
{
    private readonly DeviceProfile _device;
    private readonly CalibrationSection _calibration;
    private readonly RooflineTimeModel _fallback;
    private readonly double[] _peakByType;

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="device"/> carries no calibration section.</summary>
    public CalibratedTimeModel(DeviceProfile device)
    {
        _device = device;
        _calibration = device.Calibration ?? throw new ArgumentException($"device profile {device.Name} has no calibration section", nameof(device));
        _fallback = new RooflineTimeModel(device);
        _peakByType = Enum.GetValues<Units.DataType>().Select(device.PeakFor).ToArray();
    }

    public double MemoryBandwidthBytesPerSecond => _device.MainMemory.BandwidthBytesPerSecond;

    public double PeakFlopsPerSecond(Units.DataType type) => _peakByType[(int)type];

    public double Seconds(in OperatorWork work)
    {
        var model = _calibration.ModelForOperator(work.Kind);
        if (model is null) return _fallback.Seconds(work);
        return SecondsWith(model, work.Flops, work.TotalBytes, work.OutputElements, work.ComputeType, work.Kernels);
    }

    /// <summary>
    /// Time of work with <paramref name="flops"/> operations and <paramref name="bytes"/> of
    /// memory traffic in <paramref name="kernels"/> launches producing <paramref name="outputElements"/>, using the model of
    /// <paramref name="family"/> (throws <see cref="KeyNotFoundException"/> if the profile has none).
    /// </summary>
    public double SecondsForFamily(string family, double flops, double bytes, double outputElements, Units.DataType computeType, int kernels)
    {
        if (!_calibration.Families.TryGetValue(family, out var model))
            throw new KeyNotFoundException($"profile {_device.Name} calibrates no family '{family}'");
        return SecondsWith(model, flops, bytes, outputElements, computeType, kernels);
    }

    private double SecondsWith(FamilyTimeModel model, double flops, double bytes, double outputElements, Units.DataType computeType, int kernels)
    {
        if (flops <= 0 && bytes <= 0) return 0;
        return model.WorkSeconds(flops, bytes, outputElements, _peakByType[(int)computeType], _device.MainMemory.BandwidthBytesPerSecond)
            + kernels * _device.KernelLaunchOverheadSeconds;
    }
}
