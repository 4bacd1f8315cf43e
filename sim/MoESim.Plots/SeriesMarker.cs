namespace MoESim.Plots;

/// <summary>
/// Marker drawn at a line series' points. Series that can lie on top of each other (prefill and
/// decode curves that happen to coincide) get different markers, so the one underneath shows.
/// </summary>
public enum SeriesMarker
{
    /// <summary>A filled circle (the default).</summary>
    FilledCircle,

    /// <summary>A larger open ring that stays visible around a filled marker at the same point.</summary>
    OpenCircle,

    /// <summary>No marker: a line that marks a level (a limit), not measured points.</summary>
    None,
}
