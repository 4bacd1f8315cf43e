namespace MoESim.Traces.Synthetic;

/// <summary>
/// The synthetic router v2 as an <see cref="IRoutingSource"/> for <c>simulate</c>: routes every
/// token of a batch through <see cref="SyntheticTokenRouter"/>, keeping each request's last token
/// so locality carries across iterations. Use <see cref="Create"/>: a memoryless configuration
/// gets the v1 <see cref="SyntheticRouter"/> (same behaviour and speed as before).
/// </summary>
/// <remarks>
/// Memory: layers × k ints per request seen (requests are never told to have finished).
/// </remarks>
public sealed class SyntheticRoutingSource : IRoutingSource
{
    private readonly SyntheticTokenRouter _router;
    private readonly Dictionary<int, int[]> _lastToken = new();
    private int[] _scratch = new int[1024];
    private int[]? _counts;

    /// <summary>A source over <paramref name="config"/> (validated here).</summary>
    public SyntheticRoutingSource(TraceGeneratorConfig config)
    {
        TraceGeneratorConfigValidator.Validate(config, "router");
        _router = new SyntheticTokenRouter(config);
    }

    /// <summary>The v1 router when <paramref name="config"/> is memoryless, else a v2 source.</summary>
    public static IRoutingSource Create(TraceGeneratorConfig config)
    {
        TraceGeneratorConfigValidator.Validate(config, "router");
        return config.IsMemoryless
            ? new SyntheticRouter(new SyntheticRouterConfig
            {
                NumMoeLayers = config.NumMoeLayers,
                NumExperts = config.NumExperts,
                TopK = config.TopK,
                ZipfExponent = config.Decode.ZipfExponent,
                Seed = config.Seed,
            })
            : new SyntheticRoutingSource(config);
    }

    public int NumMoeLayers => _router.Config.NumMoeLayers;
    public int NumExperts => _router.Config.NumExperts;
    public int TopK => _router.Config.TopK;

    public string Description
    {
        get
        {
            var c = _router.Config;
            return FormattableString.Invariant(
                $"synthetic router v2 (prefill zipf {c.Prefill.ZipfExponent}, locality {c.Prefill.Locality}, affinity {c.Prefill.Affinity}; decode zipf {c.Decode.ZipfExponent}, locality {c.Decode.Locality}, affinity {c.Decode.Affinity}; seed {c.Seed})");
        }
    }

    public void Route(RoutingBatch batch, Span<int> expertTokenCounts, Span<int> distinctExperts)
    {
        var ids = Scratch(batch);
        RouteTokens(batch, ids);
        var experts = NumExperts;
        var tokens = (int)batch.Tokens;
        var perLayer = tokens * TopK;
        expertTokenCounts[..(NumMoeLayers * experts)].Clear();
        for (var l = 0; l < NumMoeLayers; l++)
        {
            var counts = expertTokenCounts.Slice(l * experts, experts);
            var distinct = 0;
            foreach (var e in ids.Slice(l * perLayer, perLayer))
                if (counts[e]++ == 0) distinct++;
            distinctExperts[l] = distinct;
        }
    }

    public void RouteDistinct(RoutingBatch batch, Span<int> distinctExperts)
    {
        _counts ??= new int[NumMoeLayers * NumExperts];
        Route(batch, _counts, distinctExperts);
    }

    public void RouteTokens(RoutingBatch batch, Span<int> expertIds)
    {
        var tokens = checked((int)batch.Tokens);
        var layers = NumMoeLayers;
        var k = TopK;
        var t = 0;
        foreach (var slice in batch.Slices)
        {
            var seen = _lastToken.TryGetValue(slice.RequestId, out var state);
            if (!seen)
            {
                state = new int[layers * k];
                _lastToken[slice.RequestId] = state;
            }
            for (var i = 0; i < slice.TokenCount; i++, t++)
            {
                // Token index 0 starts a request, and a request first seen here has no routed
                // token to be local to either (its state is not a real token).
                _router.RouteToken(slice.IsPrefill, (seen || i > 0) && slice.FirstTokenIndex + i > 0, state);
                for (var l = 0; l < layers; l++)
                    state.AsSpan(l * k, k).CopyTo(expertIds.Slice((l * tokens + t) * k, k));
            }
        }
    }

    private Span<int> Scratch(RoutingBatch batch)
    {
        var need = checked((int)batch.Tokens * NumMoeLayers * TopK);
        if (_scratch.Length < need) _scratch = new int[Math.Max(need, _scratch.Length * 2)];
        return _scratch.AsSpan(0, need);
    }
}
