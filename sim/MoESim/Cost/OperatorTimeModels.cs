using MoESim.Hardware;

namespace MoESim.Cost;

/// <summary>Picks the time model a device profile supports.</summary>
public static class OperatorTimeModels
{
    /// <summary>A <see cref="CalibratedTimeModel"/> when the profile carries measured curves, else the <see cref="RooflineTimeModel"/>.</summary>
    public static IOperatorTimeModel For(DeviceProfile device) =>
        device.Calibration is null ? new RooflineTimeModel(device) : new CalibratedTimeModel(device);
}
