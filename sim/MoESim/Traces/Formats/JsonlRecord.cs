namespace MoESim.Traces.Formats;

/// <summary>One parsed JSONL record (one layer of one step); buffers are reused line after line.</summary>
internal sealed class JsonlRecord
{
    public int Request;
    public int Iteration;
    public bool IsPrefill;
    public int FirstToken;
    public int Layer;
    public int TokenCount;
    /// <summary>Token-major k ids per token, valid up to TokenCount × k.</summary>
    public int[] Ids = new int[256];
    /// <summary>Weights in the layout of <see cref="Ids"/>.</summary>
    public float[] Weights = new float[256];
}
