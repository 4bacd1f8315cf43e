namespace MoESim.Traces.Replay;

/// <summary>
/// The decoded routing of one trace request, split by phase: for every prefill (and decode)
/// token in trace order, its k expert ids at each MoE layer, token-major
/// (<c>(token × layers + layer) × k</c>), stored as uint16 (experts ≤ 65,535).
/// </summary>
internal sealed class ReplayRequest
{
    private readonly ushort[] _prefill;
    private readonly ushort[] _decode;
    private readonly int _tokenStride;

    public ReplayRequest(int prefillTokens, int decodeTokens, int layers, int topK)
    {
        _tokenStride = layers * topK;
        PrefillTokens = prefillTokens;
        DecodeTokens = decodeTokens;
        _prefill = new ushort[(long)prefillTokens * _tokenStride];
        _decode = new ushort[(long)decodeTokens * _tokenStride];
    }

    public int PrefillTokens { get; }
    public int DecodeTokens { get; }
    /// <summary>Expert selections held (memory ≈ 2 bytes each).</summary>
    public long Selections => _prefill.LongLength + _decode.LongLength;

    /// <summary>Token <paramref name="ordinal"/> of a phase, for filling while decoding the trace.</summary>
    public Span<ushort> TokenForFill(bool prefill, int ordinal) =>
        (prefill ? _prefill : _decode).AsSpan(ordinal * _tokenStride, _tokenStride);

    /// <summary>
    /// The layers × k ids a simulated token replays. Prefill tokens map to the trace's prefill
    /// tokens at <paramref name="position"/> mod their count, decode tokens to its decode tokens
    /// at <paramref name="decodeOrdinal"/> mod their count; when the trace request lacks the
    /// phase, the other phase's tokens at <paramref name="position"/> mod their count.
    /// </summary>
    public ReadOnlySpan<ushort> Token(bool prefill, int position, int decodeOrdinal)
    {
        if (prefill ? PrefillTokens > 0 : DecodeTokens == 0)
            return _prefill.AsSpan(position % PrefillTokens * _tokenStride, _tokenStride);
        var ordinal = prefill ? position : decodeOrdinal;
        return _decode.AsSpan(ordinal % DecodeTokens * _tokenStride, _tokenStride);
    }
}
