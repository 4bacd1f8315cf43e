namespace MoESim.Bench.Cases;

/// <summary>Which streaming-bandwidth kernel a case runs.</summary>
public enum StreamOp
{
    Read,
    Write,
    Copy,
}
