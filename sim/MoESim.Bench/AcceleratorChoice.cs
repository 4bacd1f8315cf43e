namespace MoESim.Bench;

/// <summary>Which ILGPU accelerator the suite runs on.</summary>
public enum AcceleratorChoice
{
    /// <summary>CUDA when an NVIDIA GPU is present, else the CPU accelerator.</summary>
    Auto,
    /// <summary>ILGPU's CPU accelerator (its multi-threaded debugging backend).</summary>
    Cpu,
    /// <summary>The first CUDA device; an error when there is none.</summary>
    Cuda,
}
