namespace MoESim.Cost;

/// <summary>Turns an operator's work into time on one device.</summary>
public interface IOperatorTimeModel
{
    /// <summary>Execution time of <paramref name="work"/>, seconds (&gt;= 0).</summary>
    double Seconds(in OperatorWork work);

    /// <summary>The device's peak FLOP/s for a data type (for utilisation and rooflines).</summary>
    double PeakFlopsPerSecond(Units.DataType type);

    /// <summary>The device's main-memory peak bandwidth, bytes/s.</summary>
    double MemoryBandwidthBytesPerSecond { get; }
}
