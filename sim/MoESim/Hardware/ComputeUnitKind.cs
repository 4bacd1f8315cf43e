namespace MoESim.Hardware;

/// <summary>
/// What sort of compute unit a device profile lists (YAML spells these in kebab case:
/// <c>gpu-tensor-core</c>, <c>npu-cube</c>, <c>cpu-amx</c>, <c>logic-pim</c>, ...).
/// </summary>
public enum ComputeUnitKind
{
    /// <summary>GPU tensor cores (matrix units inside the SMs): where a GPU's GEMMs run.</summary>
    GpuTensorCore,
    /// <summary>GPU CUDA cores (SIMT vector lanes): element-wise work and non-tensor FP32.</summary>
    GpuCudaCore,
    /// <summary>NPU cube (matrix) cores, e.g. Ascend's Cube unit.</summary>
    NpuCube,
    /// <summary>NPU vector cores, e.g. Ascend's Vector unit.</summary>
    NpuVector,
    /// <summary>CPU matrix tiles (Intel AMX).</summary>
    CpuAmx,
    /// <summary>CPU AVX-512 vector units.</summary>
    CpuAvx512,
    /// <summary>Plain CPU cores (scalar or unspecified vector width).</summary>
    CpuCore,
    /// <summary>A processing-in-memory logic die in a memory stack (Logic-PIM, e.g. in an HBM base die).</summary>
    LogicPim,
    /// <summary>Processing units beside the DRAM banks (Bank-PIM).</summary>
    BankPim,
}
