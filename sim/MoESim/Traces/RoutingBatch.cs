namespace MoESim.Traces;

/// <summary>
/// The tokens of one iteration, handed to a routing source. A reusable buffer: the scheduler
/// clears and refills it every iteration, so routing allocates nothing in steady state.
/// </summary>
public sealed class RoutingBatch
{
    private SequenceSlice[] _slices = new SequenceSlice[64];

    public int Count { get; private set; }
    public long PrefillTokens { get; private set; }
    public long DecodeTokens { get; private set; }
    public long Tokens => PrefillTokens + DecodeTokens;

    public ReadOnlySpan<SequenceSlice> Slices => _slices.AsSpan(0, Count);

    public void Clear()
    {
        Count = 0;
        PrefillTokens = 0;
        DecodeTokens = 0;
    }

    public void Add(in SequenceSlice slice)
    {
        if (Count == _slices.Length) Array.Resize(ref _slices, _slices.Length * 2);
        _slices[Count++] = slice;
        if (slice.IsPrefill) PrefillTokens += slice.TokenCount; else DecodeTokens += slice.TokenCount;
    }
}
