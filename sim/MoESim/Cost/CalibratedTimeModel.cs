using MoESim.Hardware;
using MoESim.Hardware.Calibration;

namespace MoESim.Cost;

/// <summary>
/// Time model driven by measured efficiency curves: time = roofline time at the profile's
/// peaks / efficiency(intensity, size) + kernels × launch overhead, where the curve is the one
/// the profile's calibration assigns to the operator's kind. Operator kinds without a curve use
/// the profile's static efficiencies exactly as <see cref="RooflineTimeModel"/> (the reference
/// implementation) does; with flat curves of value c the two models agree.
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
        var curve = _calibration.CurveForOperator(work.Kind);
        if (curve is null) return _fallback.Seconds(work);
        return SecondsWith(curve, work.Flops, work.TotalBytes, work.ComputeType, work.Kernels);
    }

    /// <summary>
    /// Time of work with <paramref name="flops"/> operations and <paramref name="bytes"/> of
    /// memory traffic in <paramref name="kernels"/> launches, using the curve of
    /// <paramref name="family"/> (throws <see cref="KeyNotFoundException"/> if the profile has none).
    /// </summary>
    public double SecondsForFamily(string family, double flops, double bytes, Units.DataType computeType, int kernels)
    {
        if (!_calibration.Curves.TryGetValue(family, out var curve))
            throw new KeyNotFoundException($"profile {_device.Name} calibrates no family '{family}'");
        return SecondsWith(curve, flops, bytes, computeType, kernels);
    }

    private double SecondsWith(EfficiencyCurve curve, double flops, double bytes, Units.DataType computeType, int kernels)
    {
        if (flops <= 0 && bytes <= 0) return 0;
        var roofline = Math.Max(flops / _peakByType[(int)computeType], bytes / _device.MainMemory.BandwidthBytesPerSecond);
        return roofline / curve.EfficiencyFor(flops, bytes, roofline) + kernels * _device.KernelLaunchOverheadSeconds;
    }
}
