using System.Buffers;

namespace MoESim.Traces.Replay;

/// <summary>
/// What replay keeps of a trace (≤ 64 experts) to count distinct experts per batch without
/// decoding requests: per trace request and layer, where each expert first and last appears
/// among the prefill tokens (answers any prefill slice that starts at the first token, ends at
/// the last or covers them all: the usual whole prompts and their wrap-arounds), and every
/// decode token's per-layer expert mask (<see cref="ExpertMaskKernels"/>), token-major, so a
/// decode token ORs into a batch with one vector operation. Built in the index pass; other
/// slices (a prompt chunk strictly inside the prefill, a decode token borrowing a prefill
/// token) are left to the router's token-by-token path.
/// </summary>
internal sealed class ReplayRoutingSummary : IDisposable
{
    private readonly int _layers;
    private readonly int _experts;
    private readonly int _topK;
    private readonly int _tokenMaskBytes;
    private int[] _firstSeen;   // [request][layer][expert]: first prefill ordinal, int.MaxValue if never
    private int[] _lastSeen;    // [request][layer][expert]: last prefill ordinal, -1 if never
    private byte[] _decodeMasks; // [slot][layer] masks (pooled); slots in file order
    private long _slots;
    private readonly DecodeSlotMap _slotMap = new();

    /// <summary>An empty summary for a trace of the given shape, sized for the header's counts.</summary>
    public ReplayRoutingSummary(int layers, int experts, int topK, long expectedRequests, long expectedDecodeTokens)
    {
        _layers = layers;
        _experts = experts;
        _topK = topK;
        MaskBytes = ExpertMaskKernels.MaskBytes(experts);
        _tokenMaskBytes = layers * MaskBytes;
        _firstSeen = new int[checked((int)Math.Clamp(expectedRequests, 1, 1 << 16) * layers * experts)];
        _lastSeen = new int[_firstSeen.Length];
        _decodeMasks = ArrayPool<byte>.Shared.Rent(checked((int)Math.Clamp(expectedDecodeTokens, 1, int.MaxValue / _tokenMaskBytes) * _tokenMaskBytes));
    }

    /// <summary>Bytes per layer mask (1, 2, 4 or 8).</summary>
    public int MaskBytes { get; }

    /// <summary>Bytes a summary of these counts holds (the router's memory budget check).</summary>
    public static long BytesFor(int layers, int experts, long requests, long decodeTokens) =>
        requests * layers * experts * 2L * sizeof(int) + decodeTokens * layers * ExpertMaskKernels.MaskBytes(experts);

    /// <summary>Registers trace request <paramref name="request"/> (0, 1, 2, ... in order of first appearance).</summary>
    public void AddRequest(int request)
    {
        var stride = _layers * _experts;
        var need = (request + 1) * stride;
        if (need > _firstSeen.Length)
        {
            Array.Resize(ref _firstSeen, Math.Max(need, 2 * _firstSeen.Length));
            Array.Resize(ref _lastSeen, _firstSeen.Length);
        }
        _firstSeen.AsSpan(request * stride, stride).Fill(int.MaxValue);
        _lastSeen.AsSpan(request * stride, stride).Fill(-1);
        _slotMap.AddRequest();
    }

    /// <summary>A prefill step of <paramref name="tokens"/> tokens at prefill ordinals <paramref name="first"/>.. of <paramref name="request"/>.</summary>
    public void AddPrefill(int request, int first, int tokens, ReadOnlySpan<byte> ids)
    {
        var stride = _layers * _experts;
        var firstSeen = _firstSeen.AsSpan(request * stride, stride);
        var lastSeen = _lastSeen.AsSpan(request * stride, stride);
        var perLayer = tokens * _topK;
        for (var layer = 0; layer < _layers; layer++)
        {
            var block = ids.Slice(layer * perLayer, perLayer);
            for (var e = 0; e < _experts; e++)
            {
                var at = layer * _experts + e;
                // Vectorised searches that stop at the first hit: a few bytes for a common expert.
                if (firstSeen[at] == int.MaxValue && block.IndexOf((byte)e) is var i and >= 0) firstSeen[at] = first + i / _topK;
                if (block.LastIndexOf((byte)e) is var j and >= 0) lastSeen[at] = first + j / _topK;
            }
        }
    }

    /// <summary>
    /// A decode step of <paramref name="tokens"/> tokens at decode ordinals <paramref name="first"/>..
    /// of <paramref name="request"/>; false (nothing stored) if the masks would pass <paramref name="budgetBytes"/>.
    /// </summary>
    public bool TryAddDecode(int request, int first, int tokens, ReadOnlySpan<byte> ids, long budgetBytes)
    {
        var need = (_slots + tokens) * _tokenMaskBytes;
        if (need > _decodeMasks.Length)
        {
            if (need > Math.Min(budgetBytes, Array.MaxLength)) return false;
            var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(Array.MaxLength, Math.Max(need, 2L * _decodeMasks.Length)));
            _decodeMasks.AsSpan(0, (int)(_slots * _tokenMaskBytes)).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(_decodeMasks);
            _decodeMasks = grown;
        }
        ExpertMaskKernels.TokenMasks(ids, _layers, tokens, _topK, MaskBytes, _decodeMasks.AsSpan((int)(_slots * _tokenMaskBytes), tokens * _tokenMaskBytes));
        _slotMap.Add(request, first, (int)_slots, tokens);
        _slots += tokens;
        return true;
    }

    /// <summary>Call once after the last step: lays the decode slot map out per request.</summary>
    public void Complete() => _slotMap.Complete();

    /// <summary>
    /// ORs into <paramref name="masks"/> (layers × <see cref="MaskBytes"/>) the experts of the
    /// prefill tokens at positions <paramref name="first"/>..+<paramref name="count"/> modulo
    /// <paramref name="prefillTokens"/> (&gt; 0) of trace request <paramref name="request"/>; false
    /// (nothing written) when the range lies strictly inside the prefill.
    /// </summary>
    public bool TryOrPrefill(int request, int prefillTokens, long first, long count, Span<byte> masks)
    {
        var stride = _layers * _experts;
        var firstSeen = _firstSeen.AsSpan(request * stride, stride);
        if (count >= prefillTokens)
        {
            ExpertMaskKernels.OrPositionsInRange(firstSeen, _layers, _experts, MaskBytes, 0, prefillTokens, masks);
            return true;
        }
        var from = (int)(first % prefillTokens);
        var to = from + (int)count; // ≤ 2 × prefill tokens - 1
        if (from == 0)
            ExpertMaskKernels.OrPositionsInRange(firstSeen, _layers, _experts, MaskBytes, 0, to, masks);
        else if (to >= prefillTokens)
        {
            var lastSeen = _lastSeen.AsSpan(request * stride, stride);
            ExpertMaskKernels.OrPositionsInRange(lastSeen, _layers, _experts, MaskBytes, from, prefillTokens, masks);
            if (to > prefillTokens) ExpertMaskKernels.OrPositionsInRange(firstSeen, _layers, _experts, MaskBytes, 0, to - prefillTokens, masks);
        }
        else return false;
        return true;
    }

    /// <summary>ORs the masks of decode token <paramref name="ordinal"/> (0..decode tokens-1) of <paramref name="request"/> into <paramref name="masks"/>.</summary>
    public void OrDecode(int request, int ordinal, Span<byte> masks)
    {
        var slot = _slotMap.Slot(request, ordinal);
        ExpertMaskKernels.OrInto(masks, _decodeMasks.AsSpan(slot * _tokenMaskBytes, _tokenMaskBytes));
    }

    public void Dispose()
    {
        if (_decodeMasks.Length > 0) ArrayPool<byte>.Shared.Return(_decodeMasks);
        _decodeMasks = [];
    }
}
