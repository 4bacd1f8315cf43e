namespace MoESim.Hardware;

/// <summary>
/// The technology of a memory tier (YAML: <c>hbm</c>, <c>gddr</c>, <c>ddr</c>, <c>lpddr</c>,
/// <c>cxl</c>, <c>ssd</c>, <c>pim-internal</c>).
/// </summary>
public enum MemoryTierKind
{
    /// <summary>High-bandwidth memory stacked beside the die (HBM2e, HBM3, HBM3e).</summary>
    Hbm,
    /// <summary>Graphics DRAM on the board (GDDR6, GDDR6X).</summary>
    Gddr,
    /// <summary>DIMM DRAM attached to a CPU (DDR4, DDR5).</summary>
    Ddr,
    /// <summary>Low-power DRAM (LPDDR5, LPDDR5X).</summary>
    Lpddr,
    /// <summary>Memory behind a CXL link (a memory expander).</summary>
    Cxl,
    /// <summary>Flash storage (NVMe SSD).</summary>
    Ssd,
    /// <summary>The bandwidth a processing-in-memory unit sees inside its memory (banks or stack), beyond the external interface.</summary>
    PimInternal,
}
