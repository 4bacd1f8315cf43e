using System.Text;
using ScottPlot;

namespace MoESim.Plots;

/// <summary>Writes a plot as PNG and SVG without ever leaving a half-written file behind.</summary>
public static class ChartFiles
{
    /// <summary>Default image width in pixels.</summary>
    public const int DefaultWidthPx = 1200;

    /// <summary>Default image height in pixels.</summary>
    public const int DefaultHeightPx = 800;

    /// <summary>
    /// Renders <paramref name="plot"/> at <paramref name="widthPx"/> x <paramref name="heightPx"/>
    /// pixels (each 1 to 10000) and writes <c>pathWithoutExtension.png</c> and
    /// <c>pathWithoutExtension.svg</c>, creating the folder if needed. Each file is written to a
    /// temporary file in the same folder and renamed into place, so readers see the old file or
    /// the complete new one. Throws <see cref="InvalidOperationException"/> when no font is installed.
    /// </summary>
    public static ChartFilePaths Save(Plot plot, string pathWithoutExtension, int widthPx, int heightPx) =>
        Save(plot, pathWithoutExtension, widthPx, heightPx, requireText: false);

    /// <summary>
    /// As the public overload; with <paramref name="requireText"/> it also refuses to write a
    /// chart whose SVG holds no text element. ScottPlot can abort a render part-way (e.g. an empty
    /// legend panel) and still return a blank image; every MoESim chart has a title, so no text
    /// means a broken render.
    /// </summary>
    internal static ChartFilePaths Save(Plot plot, string pathWithoutExtension, int widthPx, int heightPx, bool requireText)
    {
        ArgumentNullException.ThrowIfNull(plot);
        ArgumentException.ThrowIfNullOrWhiteSpace(pathWithoutExtension);
        ArgumentOutOfRangeException.ThrowIfLessThan(widthPx, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(heightPx, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(widthPx, 10_000);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(heightPx, 10_000);
        FontCheck.EnsureFontAvailable();

        string basePath = Path.GetFullPath(pathWithoutExtension);
        string folder = Path.GetDirectoryName(basePath)
            ?? throw new ArgumentException($"'{pathWithoutExtension}' has no folder.", nameof(pathWithoutExtension));
        Directory.CreateDirectory(folder);

        // Render both formats in memory first: a rendering failure then touches no file at all.
        byte[] png = plot.GetImageBytes(widthPx, heightPx, ImageFormat.Png);
        string svgXml = plot.GetSvgXml(widthPx, heightPx);
        if (requireText && !svgXml.Contains("<text", StringComparison.Ordinal))
            throw new InvalidOperationException(
                $"Rendering '{pathWithoutExtension}' produced no text (title, labels): the render failed silently.");
        byte[] svg = Encoding.UTF8.GetBytes(svgXml);

        ChartFilePaths paths = new() { PngPath = basePath + ".png", SvgPath = basePath + ".svg" };
        WriteAtomically(paths.PngPath, png);
        WriteAtomically(paths.SvgPath, svg);
        return paths;
    }

    private static void WriteAtomically(string finalPath, byte[] content)
    {
        string folder = Path.GetDirectoryName(finalPath)!;
        // Same folder as the target so the rename stays on one file system (atomic on POSIX).
        string tempPath = Path.Combine(folder, $".{Path.GetFileName(finalPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (FileStream stream = new(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            File.Move(tempPath, finalPath, overwrite: true);
        }
        catch
        {
            File.Delete(tempPath);
            throw;
        }
    }
}
