namespace MoESim.Traces.Replay;

/// <summary>One stored trace token: its phase's layer-major id array, that phase's token count and the token's ordinal.</summary>
internal readonly struct ReplayToken(ushort[] data, int phaseTokens, int ordinal)
{
    /// <summary>The k expert ids of this token at <paramref name="layer"/>.</summary>
    public ReadOnlySpan<ushort> Layer(int layer, int topK) => data.AsSpan((layer * phaseTokens + ordinal) * topK, topK);
}
