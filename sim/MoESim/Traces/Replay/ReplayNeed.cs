namespace MoESim.Traces.Replay;

/// <summary>
/// How many leading tokens of each phase of a trace request the simulation can reach, from the
/// simulated requests that replay it (prompt and output lengths are known up front), so a
/// decode can stop reading early and hold less. A bound, not a guarantee: the router checks
/// every slice with <see cref="ReplayRequest.Covers"/> and decodes the request in full when a
/// slice reaches beyond it (for example simulated request ids outside the request list).
/// </summary>
internal static class ReplayNeed
{
    /// <summary>
    /// Ordinals a contiguous run of values <paramref name="first"/>..<paramref name="last"/>
    /// (≥ 0) reaches modulo <paramref name="count"/> (≥ 1): one past the largest, or
    /// <paramref name="count"/> when the run wraps.
    /// </summary>
    public static int Ordinals(int first, int last, int count)
    {
        if ((long)last - first + 1 >= count) return count;
        var a = first % count;
        var b = last % count;
        return a <= b ? b + 1 : count;
    }

    /// <summary>
    /// Per trace request (index = simulated request's <see cref="Request.Id"/> mod entries), the prefill and decode
    /// tokens to hold: prefill positions stay below prompt + output (recomputed prefills
    /// included), decode ordinals below output; a missing phase borrows the other at positions
    /// below prompt + output.
    /// </summary>
    public static (int[] Prefill, int[] Decode) Compute(ReadOnlySpan<ReplayIndexEntry> entries, IReadOnlyList<Request> requests)
    {
        var prefill = new int[entries.Length];
        var decode = new int[entries.Length];
        for (var r = 0; r < requests.Count; r++)
        {
            var i = requests[r].Id % entries.Length;
            var e = entries[i];
            var positions = (int)Math.Min(int.MaxValue, (long)requests[r].PromptTokens + requests[r].OutputTokens);
            var outputs = Math.Max(0, requests[r].OutputTokens);
            var needPrefill = Math.Min(e.PrefillTokens, positions);
            var needDecode = Math.Min(e.DecodeTokens, e.PrefillTokens == 0 ? positions : outputs);
            prefill[i] = Math.Max(prefill[i], needPrefill);
            decode[i] = Math.Max(decode[i], needDecode);
        }
        return (prefill, decode);
    }
}
