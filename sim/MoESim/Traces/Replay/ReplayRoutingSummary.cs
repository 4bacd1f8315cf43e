namespace MoESim.Traces.Replay;

/// <summary>
/// What replay keeps of a trace (≤ 256 experts: one-byte ids) to count distinct experts per batch without
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
    /// <summary>Outcome of <see cref="TryAddDecode"/>.</summary>
    public enum DecodeAdd { Added, BadIds, OverBudget }

    private readonly int _layers;
    private readonly int _experts;
    private readonly int _topK;
    private readonly int _tokenMaskBytes;
    private int[] _firstSeen;   // [request][layer][expert]: first prefill ordinal, int.MaxValue if never
    private int[] _lastSeen;    // [request][layer][expert]: last prefill ordinal, -1 if never
    private byte[] _decodeMasks; // [slot][layer] masks (pooled); slots in file order
    private long _slots;
    private readonly DecodeSlotMap _slotMap;

    /// <summary>An empty summary for a trace of the given shape, sized for the header's counts.</summary>
    public ReplayRoutingSummary(int layers, int experts, int topK, long expectedRequests, long expectedDecodeTokens)
    {
        _layers = layers;
        _experts = experts;
        _topK = topK;
        MaskBytes = ExpertMaskKernels.MaskBytes(experts);
        _tokenMaskBytes = layers * MaskBytes;
        _firstSeen = PooledArrays.Rent<int>(Math.Clamp(expectedRequests, 1, 1 << 16) * layers * experts);
        _lastSeen = PooledArrays.Rent<int>(_firstSeen.Length);
        _decodeMasks = PooledArrays.Rent<byte>(Math.Max(1, expectedDecodeTokens) * _tokenMaskBytes);
        _slotMap = new DecodeSlotMap();
    }

    private ReplayRoutingSummary(int layers, int experts, int topK, int[] firstSeen, int[] lastSeen, byte[] decodeMasks, long slots, DecodeSlotMap slotMap)
    {
        (_layers, _experts, _topK) = (layers, experts, topK);
        MaskBytes = ExpertMaskKernels.MaskBytes(experts);
        _tokenMaskBytes = layers * MaskBytes;
        (_firstSeen, _lastSeen, _decodeMasks, _slots, _slotMap) = (firstSeen, lastSeen, decodeMasks, slots, slotMap);
    }

    /// <summary>Bytes per layer mask (<see cref="ExpertMaskKernels.MaskBytes"/>: 1, 2, 4, 8, 16, 24 or 32).</summary>
    public int MaskBytes { get; }

    /// <summary>Bytes a summary of these counts holds (the router's memory budget check).</summary>
    public static long BytesFor(int layers, int experts, long requests, long decodeTokens) =>
        requests * layers * experts * 2L * sizeof(int) + decodeTokens * layers * ExpertMaskKernels.MaskBytes(experts);

    /// <summary>
    /// Registers trace request <paramref name="request"/> (0, 1, 2, ... in order of first
    /// appearance); false (nothing added) if the summary would then pass <paramref name="budgetBytes"/>.
    /// </summary>
    public bool TryAddRequest(int request, long budgetBytes)
    {
        var stride = _layers * _experts;
        if (BytesFor(_layers, _experts, request + 1, _slots) > budgetBytes) return false;
        _firstSeen = PooledArrays.Grow(_firstSeen, (long)request * stride, (long)(request + 1) * stride);
        _lastSeen = PooledArrays.Grow(_lastSeen, (long)request * stride, (long)(request + 1) * stride);
        _firstSeen.AsSpan(request * stride, stride).Fill(int.MaxValue);
        _lastSeen.AsSpan(request * stride, stride).Fill(-1);
        _slotMap.AddRequest();
        return true;
    }

    /// <summary>A prefill step of <paramref name="tokens"/> tokens at prefill ordinals <paramref name="first"/>.. of <paramref name="request"/>.</summary>
    public void AddPrefill(int request, int first, int tokens, ReadOnlySpan<byte> ids)
    {
        var stride = _layers * _experts;
        var firstSeen = _firstSeen.AsSpan(request * stride, stride);
        var lastSeen = _lastSeen.AsSpan(request * stride, stride);
        var perLayer = tokens * _topK;
        Span<ulong> wanted = stackalloc ulong[ExpertPositionScan.Words(_experts)];
        for (var layer = 0; layer < _layers; layer++)
        {
            var block = ids.Slice(layer * perLayer, perLayer);
            var firstRow = firstSeen.Slice(layer * _experts, _experts);
            wanted.Clear();
            var unseen = false;
            for (var e = 0; e < _experts; e++)
                if (firstRow[e] == int.MaxValue)
                {
                    wanted[e >> 6] |= 1UL << e;
                    unseen = true;
                }
            if (unseen) ExpertPositionScan.First(block, _topK, wanted, first, firstRow);
            SetAll(wanted);
            ExpertPositionScan.Last(block, _topK, wanted, first, lastSeen.Slice(layer * _experts, _experts));
        }
    }

    /// <summary>Sets the bits of all experts in <paramref name="words"/>.</summary>
    private void SetAll(Span<ulong> words)
    {
        words.Fill(ulong.MaxValue);
        if (_experts % 64 != 0) words[^1] = (1UL << _experts) - 1;
    }

    /// <summary>
    /// A decode step of <paramref name="tokens"/> tokens at decode ordinals <paramref name="first"/>..
    /// of <paramref name="request"/>, its ids checked on the way (<see cref="ExpertMaskKernels.TryTokenMasks"/>).
    /// </summary>
    public DecodeAdd TryAddDecode(int request, int first, int tokens, ReadOnlySpan<byte> ids, long budgetBytes)
    {
        var at = _slots * _tokenMaskBytes;
        var need = at + (long)tokens * _tokenMaskBytes;
        if (need > _decodeMasks.Length)
        {
            if (need > Math.Min(budgetBytes, Array.MaxLength)) return DecodeAdd.OverBudget;
            _decodeMasks = PooledArrays.Grow(_decodeMasks, at, need);
        }
        if (!ExpertMaskKernels.TryTokenMasks(ids, _experts, _layers, tokens, _topK, MaskBytes, _decodeMasks.AsSpan((int)at, tokens * _tokenMaskBytes)))
            return DecodeAdd.BadIds;
        _slotMap.Add(request, first, (int)_slots, tokens);
        _slots += tokens;
        return DecodeAdd.Added;
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

    /// <summary>Writes the summary of <paramref name="requests"/> trace requests (after <see cref="Complete"/>) for <see cref="Read"/>.</summary>
    public void Write(ReplayIndexWriter writer, int requests)
    {
        var stride = requests * _layers * _experts;
        writer.Write<int>(_firstSeen.AsSpan(0, stride));
        writer.Write<int>(_lastSeen.AsSpan(0, stride));
        writer.Write(_slots);
        writer.Write<byte>(_decodeMasks.AsSpan(0, (int)(_slots * _tokenMaskBytes)));
        _slotMap.Write(writer);
    }

    /// <summary>A summary as <see cref="Write"/> stored it, into pooled arrays.</summary>
    public static ReplayRoutingSummary Read(ref ReplayIndexReader reader, int layers, int experts, int topK, int requests)
    {
        var stride = requests * layers * experts;
        var firstSeen = PooledArrays.Rent<int>(stride);
        var lastSeen = PooledArrays.Rent<int>(stride);
        reader.Read<int>(firstSeen.AsSpan(0, stride));
        reader.Read<int>(lastSeen.AsSpan(0, stride));
        var slots = reader.ReadInt64();
        var bytes = checked((int)(slots * layers * ExpertMaskKernels.MaskBytes(experts)));
        var masks = PooledArrays.Rent<byte>(bytes);
        reader.Read<byte>(masks.AsSpan(0, bytes));
        return new ReplayRoutingSummary(layers, experts, topK, firstSeen, lastSeen, masks, slots, DecodeSlotMap.Read(ref reader, requests));
    }

    public void Dispose()
    {
        PooledArrays.Return(_decodeMasks);
        PooledArrays.Return(_firstSeen);
        PooledArrays.Return(_lastSeen);
        (_decodeMasks, _firstSeen, _lastSeen) = ([], [], []);
    }
}
