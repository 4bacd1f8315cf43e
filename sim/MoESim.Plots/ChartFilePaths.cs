namespace MoESim.Plots;

/// <summary>The two files one chart was written to.</summary>
public sealed record ChartFilePaths
{
    /// <summary>Absolute path of the raster image (PNG).</summary>
    public required string PngPath { get; init; }

    /// <summary>Absolute path of the vector image (SVG).</summary>
    public required string SvgPath { get; init; }
}
