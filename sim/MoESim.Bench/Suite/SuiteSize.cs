namespace MoESim.Bench.Suite;

/// <summary>How much of the shape grid the suite runs.</summary>
public enum SuiteSize
{
    /// <summary>Model dimensions ÷ 16, M up to 256, short timing: about 1-2 minutes on the CPU accelerator.</summary>
    Quick,
    /// <summary>Model dimensions ÷ 4, M up to 1024: about 10 minutes on the CPU accelerator.</summary>
    Medium,
    /// <summary>The models' real dimensions, M up to 4096 (meant for GPUs; slow cases are skipped by the time cap).</summary>
    Full,
}
