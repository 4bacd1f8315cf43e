namespace MoESim.Traces;

/// <summary>
/// Decides which experts each token of an iteration uses: a synthetic router or a replayed
/// trace. The serving policy only sees per-layer, per-expert token counts.
/// </summary>
public interface IRoutingSource
{
    int NumMoeLayers { get; }
    int NumExperts { get; }
    int TopK { get; }

    /// <summary>A one-line description for reports (kind and parameters).</summary>
    string Description { get; }

    /// <summary>
    /// Routes one iteration. Fills <paramref name="expertTokenCounts"/> (length layers × experts,
    /// index layer × experts + expert) with tokens per expert, and
    /// <paramref name="distinctExperts"/> (length layers) with experts having at least one token.
    /// </summary>
    void Route(RoutingBatch batch, Span<int> expertTokenCounts, Span<int> distinctExperts);

    /// <summary>
    /// Like <see cref="Route"/> but fills only <paramref name="distinctExperts"/>: all a single
    /// device's cost needs, and cheaper for sources that can draw it directly.
    /// </summary>
    void RouteDistinct(RoutingBatch batch, Span<int> distinctExperts);

    /// <summary>
    /// Routes one iteration token by token: fills <paramref name="expertIds"/> (length layers ×
    /// batch tokens × k, layer-major: index (layer × tokens + token) × k + choice) with each
    /// token's k distinct expert ids. Tokens are numbered in slice order, then position within
    /// the slice. Multi-device serving needs this to know which device each token travels to.
    /// </summary>
    void RouteTokens(RoutingBatch batch, Span<int> expertIds);
}
