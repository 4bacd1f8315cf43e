using MoESim.Tests.Traces.Formats;
using MoESim.Traces;

namespace MoESim.Tests.Traces.Replay;

/// <summary>
/// The documented replay mapping written out plainly (traces/README.md, "Replay"), as the
/// reference replay tests compare the router with: every trace token's ids, and per batch the
/// ids, per-expert counts and distinct experts that the mapping gives.
/// </summary>
internal sealed class ReplayReference
{
    private readonly List<(List<int[]> Prefill, List<int[]> Decode)> _trace = new();
    private readonly IReadOnlyList<Request> _requests;

    /// <summary>Reads every step of <paramref name="path"/>: per trace request (order of first appearance), its prefill and decode tokens as [token][layer × k] ids.</summary>
    public ReplayReference(string path, IReadOnlyList<Request> requests)
    {
        _requests = requests;
        var order = new Dictionary<int, int>();
        foreach (var step in TraceTestFiles.ReadAll(path))
        {
            if (!order.TryGetValue(step.RequestId, out var i))
            {
                order[step.RequestId] = i = _trace.Count;
                _trace.Add((new List<int[]>(), new List<int[]>()));
            }
            Layers = step.NumMoeLayers;
            TopK = step.TopK;
            var phase = step.IsPrefill ? _trace[i].Prefill : _trace[i].Decode;
            for (var t = 0; t < step.TokenCount; t++)
            {
                var ids = new int[Layers * TopK];
                for (var layer = 0; layer < Layers; layer++)
                    for (var j = 0; j < TopK; j++) ids[layer * TopK + j] = step.Layer(layer)[t * TopK + j];
                phase.Add(ids);
            }
        }
    }

    public int Layers { get; }
    public int TopK { get; }

    /// <summary>The ids ([layer × k]) that token <paramref name="t"/> of <paramref name="slice"/> replays.</summary>
    public int[] Token(SequenceSlice slice, int t)
    {
        var (prefill, decode) = _trace[slice.RequestId % _trace.Count];
        var position = slice.FirstTokenIndex + t;
        var prompt = slice.RequestId < _requests.Count ? _requests[slice.RequestId].PromptTokens : 0;
        if (slice.IsPrefill) return prefill.Count > 0 ? prefill[position % prefill.Count] : decode[position % decode.Count];
        return decode.Count > 0 ? decode[Math.Max(0, position - prompt) % decode.Count] : prefill[position % prefill.Count];
    }

    /// <summary>Per layer, the experts a batch's tokens use (layer-major ids, per-expert counts, distinct counts).</summary>
    public (int[] Ids, int[] Counts, int[] Distinct) Route(RoutingBatch batch, int experts)
    {
        var tokens = (int)batch.Tokens;
        var ids = new int[Layers * tokens * TopK];
        var counts = new int[Layers * experts];
        var token = 0;
        foreach (var slice in batch.Slices)
            for (var t = 0; t < slice.TokenCount; t++, token++)
            {
                var chosen = Token(slice, t);
                for (var layer = 0; layer < Layers; layer++)
                    for (var j = 0; j < TopK; j++)
                    {
                        var e = chosen[layer * TopK + j];
                        ids[(layer * tokens + token) * TopK + j] = e;
                        counts[layer * experts + e]++;
                    }
            }
        var distinct = new int[Layers];
        for (var layer = 0; layer < Layers; layer++)
            for (var e = 0; e < experts; e++) if (counts[layer * experts + e] > 0) distinct[layer]++;
        return (ids, counts, distinct);
    }
}
