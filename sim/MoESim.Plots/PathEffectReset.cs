using ScottPlot;

namespace MoESim.Plots;

/// <summary>
/// An invisible plottable that clears the dash effect a dashed line leaves on ScottPlot's shared
/// paint. ScottPlot 5.1.59 renders every plottable with one paint, and a fill (a marker) does not
/// reset the path effect that the last line stroke set; Skia's SVG canvas cannot apply a path
/// effect to an ellipse, so each such marker printed "Unsupported path effect in addPaint." on
/// stderr. Add one after every dashed plottable.
/// </summary>
internal sealed class PathEffectReset : IPlottable
{
    public bool IsVisible { get; set; } = true;

    public IAxes Axes { get; set; } = new ScottPlot.Axes();

    public IEnumerable<LegendItem> LegendItems => [];

    public AxisLimits GetAxisLimits() => AxisLimits.NoLimits;

    public void Render(RenderPack rp) => rp.Paint.SKPaint.PathEffect = null;
}
