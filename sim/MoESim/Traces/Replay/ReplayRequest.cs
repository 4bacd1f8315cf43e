namespace MoESim.Traces.Replay;

/// <summary>
/// The decoded routing of one trace request, split by phase and stored layer-major like a
/// step (<c>(layer × phase tokens + ordinal) × k</c>), as uint16 ids (experts ≤ 65,535), so a
/// step decodes with one contiguous copy per layer.
/// </summary>
internal sealed class ReplayRequest
{
    private readonly ushort[] _prefill;
    private readonly ushort[] _decode;
    private readonly int _topK;

    public ReplayRequest(int prefillTokens, int decodeTokens, int layers, int topK)
    {
        _topK = topK;
        PrefillTokens = prefillTokens;
        DecodeTokens = decodeTokens;
        _prefill = new ushort[(long)prefillTokens * layers * topK];
        _decode = new ushort[(long)decodeTokens * layers * topK];
    }

    public int PrefillTokens { get; }
    public int DecodeTokens { get; }
    /// <summary>Expert selections held (memory ≈ 2 bytes each).</summary>
    public long Selections => _prefill.LongLength + _decode.LongLength;

    /// <summary>Copies a step's ids (tokens of one phase starting at <paramref name="ordinal"/>) in, one layer at a time.</summary>
    public void Fill(RoutingStep step, int ordinal)
    {
        var (data, tokens) = step.IsPrefill ? (_prefill, PrefillTokens) : (_decode, DecodeTokens);
        var n = step.TokenCount * _topK;
        for (var layer = 0; layer < step.NumMoeLayers; layer++)
        {
            var source = step.Layer(layer);
            var target = data.AsSpan((layer * tokens + ordinal) * _topK, n);
            for (var i = 0; i < n; i++) target[i] = (ushort)source[i];
        }
    }

    /// <summary>
    /// Which stored token a simulated token replays (see <see cref="TraceReplayRouter"/>): prefill
    /// tokens map to prefill ordinal <paramref name="position"/> mod P, decode tokens to decode
    /// ordinal <paramref name="decodeOrdinal"/> mod D; a phase the request lacks borrows the
    /// other phase's token at <paramref name="position"/> mod its count.
    /// </summary>
    public ReplayToken Token(bool prefill, int position, int decodeOrdinal)
    {
        if (prefill ? PrefillTokens > 0 : DecodeTokens == 0)
            return new ReplayToken(_prefill, PrefillTokens, position % PrefillTokens);
        return new ReplayToken(_decode, DecodeTokens, (prefill ? position : decodeOrdinal) % DecodeTokens);
    }
}
