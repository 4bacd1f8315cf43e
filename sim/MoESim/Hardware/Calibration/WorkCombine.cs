namespace MoESim.Hardware.Calibration;

/// <summary>How a family's compute time and memory time combine into its kernel time.</summary>
public enum WorkCombine
{
    /// <summary>time = compute + memory: the two do not overlap (the CPU accelerator runs each load and multiply in turn).</summary>
    Sum,
    /// <summary>time = max(compute, memory): the roofline, for devices that overlap memory traffic with math.</summary>
    Max,
}
