namespace MoESim.Hardware;

/// <summary>What sort of processor a device profile describes.</summary>
public enum DeviceKind
{
    Gpu,
    Npu,
    Cpu,
    Pim,
}
