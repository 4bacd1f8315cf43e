namespace MoESim.Traces.Formats;

/// <summary>One parsed CSV import row (one token at one layer); reused row after row.</summary>
internal sealed class CsvTraceRow
{
    public int Request;
    public int Token;
    public int Layer;
    /// <summary>From the <c>iteration</c> column, or -1 when the file has none.</summary>
    public int Iteration;
    public bool IsPrefill;
    public int IdCount;
    public int[] Ids = new int[64];
    public int WeightCount;
    public float[] Weights = new float[64];
    public long Line;
    public long Offset;
}
