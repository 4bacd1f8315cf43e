using System.Buffers.Binary;

namespace MoESim.Traces.Replay;

/// <summary>
/// The decoded routing of one trace request, split by phase and stored layer-major like a
/// step (<c>(layer × stored phase tokens + ordinal) × k</c>), one byte per id when experts ≤ 256
/// (two little-endian bytes up to 65,535), so a step decodes with one contiguous copy per layer
/// and a replayed request costs no more memory than in the binary trace (fresh memory is the
/// main cost of a decode: first-touch page faults). Only the first <see cref="StoredPrefill"/>
/// and <see cref="StoredDecode"/> tokens of each phase are held (the simulated requests that
/// replay it never reach further; see <see cref="ReplayNeed"/>); ordinals still wrap modulo the
/// full phase counts, so a stored token has the same id whatever the stored extent.
/// </summary>
internal sealed class ReplayRequest
{
    private readonly byte[] _prefill;
    private readonly byte[] _decode;
    private readonly int _topK;
    private readonly bool _wide;

    public ReplayRequest(int prefillTokens, int decodeTokens, int storedPrefill, int storedDecode, int layers, int experts, int topK)
    {
        _topK = topK;
        _wide = experts > 256;
        var idBytes = _wide ? 2 : 1;
        PrefillTokens = prefillTokens;
        DecodeTokens = decodeTokens;
        StoredPrefill = storedPrefill;
        StoredDecode = storedDecode;
        // Every stored id is written by the decode before use: no need to zero the arrays.
        _prefill = GC.AllocateUninitializedArray<byte>(checked(storedPrefill * layers * topK * idBytes));
        _decode = GC.AllocateUninitializedArray<byte>(checked(storedDecode * layers * topK * idBytes));
    }

    /// <summary>Prefill tokens of the trace request.</summary>
    public int PrefillTokens { get; }
    /// <summary>Decode tokens of the trace request.</summary>
    public int DecodeTokens { get; }
    /// <summary>Prefill tokens held (the first ones, 0..<see cref="PrefillTokens"/>).</summary>
    public int StoredPrefill { get; }
    /// <summary>Decode tokens held (the first ones, 0..<see cref="DecodeTokens"/>).</summary>
    public int StoredDecode { get; }
    /// <summary>True when both phases are held complete.</summary>
    public bool Complete => StoredPrefill == PrefillTokens && StoredDecode == DecodeTokens;
    /// <summary>Expert selections held (memory: 1 byte each, 2 above 256 experts).</summary>
    public long Selections => (_prefill.LongLength + _decode.LongLength) / (_wide ? 2 : 1);

    /// <summary>
    /// Copies a step's ids (tokens of one phase starting at <paramref name="ordinal"/>) in, one
    /// layer at a time, keeping only tokens below the phase's stored count.
    /// </summary>
    public void Fill(RoutingStep step, int ordinal)
    {
        var (data, stored) = step.IsPrefill ? (_prefill, StoredPrefill) : (_decode, StoredDecode);
        var tokens = Math.Min(step.TokenCount, stored - ordinal);
        if (tokens <= 0) return;
        var n = tokens * _topK;
        for (var layer = 0; layer < step.NumMoeLayers; layer++)
        {
            var source = step.Layer(layer)[..n];
            var at = (layer * stored + ordinal) * _topK;
            if (_wide)
            {
                var target = data.AsSpan(2 * at, 2 * n);
                for (var i = 0; i < n; i++) BinaryPrimitives.WriteUInt16LittleEndian(target[(2 * i)..], (ushort)source[i]);
            }
            else
            {
                var target = data.AsSpan(at, n);
                for (var i = 0; i < n; i++) target[i] = (byte)source[i];
            }
        }
    }

    /// <summary>
    /// Which stored token a simulated token replays (see <see cref="TraceReplayRouter"/>): prefill
    /// tokens map to prefill ordinal <paramref name="position"/> mod P, decode tokens to decode
    /// ordinal <paramref name="decodeOrdinal"/> mod D; a phase the request lacks borrows the
    /// other phase's token at <paramref name="position"/> mod its count. The caller checks
    /// <see cref="Covers"/> first.
    /// </summary>
    public ReplayToken Token(bool prefill, int position, int decodeOrdinal)
    {
        if (UsesPrefill(prefill))
            return new ReplayToken(_prefill, StoredPrefill, position % PrefillTokens, _wide);
        return new ReplayToken(_decode, StoredDecode, (prefill ? position : decodeOrdinal) % DecodeTokens, _wide);
    }

    /// <summary>
    /// Whether the stored tokens cover a slice of simulated tokens at positions
    /// <paramref name="firstPosition"/>..<paramref name="lastPosition"/> (decode ordinals
    /// <paramref name="firstDecodeOrdinal"/>..<paramref name="lastDecodeOrdinal"/>).
    /// </summary>
    public bool Covers(bool prefill, int firstPosition, int lastPosition, int firstDecodeOrdinal, int lastDecodeOrdinal)
    {
        if (UsesPrefill(prefill)) return ReplayNeed.Ordinals(firstPosition, lastPosition, PrefillTokens) <= StoredPrefill;
        return prefill
            ? ReplayNeed.Ordinals(firstPosition, lastPosition, DecodeTokens) <= StoredDecode
            : ReplayNeed.Ordinals(firstDecodeOrdinal, lastDecodeOrdinal, DecodeTokens) <= StoredDecode;
    }

    private bool UsesPrefill(bool prefill) => prefill ? PrefillTokens > 0 : DecodeTokens == 0;
}
