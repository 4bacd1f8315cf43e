using MoESim.Config;

namespace MoESim.Traces.Formats;

/// <summary>
/// What a front-to-back pass over a <c>.moetrace</c> counted, for comparison with the header's
/// whole-file counts at the end of the file: every reader of the format (trace check, trace
/// stats, replay's index scan) rejects a header whose counts do not match its chunks, not only
/// <c>trace check</c>.
/// </summary>
internal sealed class HeaderTotals
{
    private readonly HashSet<int> _requests = new();
    private int _lastRequest = -1;
    private long _prefillTokens;
    private long _decodeTokens;

    /// <summary>Counts one step of request <paramref name="request"/> with <paramref name="tokens"/> tokens.</summary>
    public void Add(int request, int tokens, bool prefill)
    {
        // Consecutive steps of one request are common; skip the set for them.
        if (request != _lastRequest)
        {
            _requests.Add(request);
            _lastRequest = request;
        }
        if (prefill) _prefillTokens += tokens; else _decodeTokens += tokens;
    }

    /// <summary>
    /// Throws one <see cref="InputException"/> listing every count of <paramref name="header"/>
    /// (requests, prefill and decode tokens, selections) that differs from the totals added here.
    /// Chunk and step counts are the callers' (a shortfall there reads as a truncated file).
    /// </summary>
    public void Check(string path, MoeTraceHeader header)
    {
        var errors = new InputErrorList();
        void Compare(string field, long inHeader, long counted)
        {
            if (inHeader != counted) errors.Add(path, 0, 0, $"header {field}", $"the header says {inHeader}, the chunks hold {counted}");
        }
        Compare("requests", header.Requests, _requests.Count);
        Compare("prefill_tokens", header.PrefillTokens, _prefillTokens);
        Compare("decode_tokens", header.DecodeTokens, _decodeTokens);
        Compare("selections", header.Selections, (_prefillTokens + _decodeTokens) * header.Shape.NumMoeLayers * header.Shape.TopK);
        errors.ThrowIfAny();
    }
}
