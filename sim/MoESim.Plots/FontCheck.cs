using SkiaSharp;

namespace MoESim.Plots;

/// <summary>
/// Checks that the font the charts draw with resolves to a real installed font. SkiaSharp
/// (and so ScottPlot) silently substitutes an empty typeface when no font is installed, which
/// produces charts with no text at all; this check turns that into a loud failure.
/// </summary>
public static class FontCheck
{
    /// <summary>Shell command that installs the font the charts prefer (Debian/Ubuntu).</summary>
    public const string InstallHint = "apt-get install fonts-dejavu-core";

    /// <summary>Sans-serif families tried in order; the first one installed is used.</summary>
    public static IReadOnlyList<string> PreferredFamilies { get; } =
        ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica", "FreeSans"];

    private static readonly Lock Gate = new();
    private static string? cachedFamily;

    /// <summary>
    /// Returns the family name of an installed font the charts will use (a preferred sans-serif
    /// family, else any installed family). Throws <see cref="InvalidOperationException"/> with
    /// install instructions when no font can be resolved. The result is cached per process.
    /// </summary>
    public static string EnsureFontAvailable()
    {
        lock (Gate)
        {
            if (cachedFamily is not null)
                return cachedFamily;
            cachedFamily = Resolve(PreferredFamilies, ResolveWithSkia, InstalledFamilies());
            return cachedFamily;
        }
    }

    /// <summary>
    /// Pure resolution rule, separated so tests can simulate a machine without fonts.
    /// <paramref name="resolve"/> maps a requested family to the family actually returned
    /// (null or different when the request was not honoured).
    /// </summary>
    internal static string Resolve(
        IReadOnlyList<string> preferred, Func<string, string?> resolve, IReadOnlyList<string> installed)
    {
        foreach (string family in preferred)
        {
            string? actual = resolve(family);
            // Skia falls back to some other (or an empty) typeface instead of failing, so only
            // an exact family match proves the requested font is installed.
            if (actual is not null && string.Equals(actual, family, StringComparison.OrdinalIgnoreCase))
                return family;
        }

        foreach (string family in installed)
        {
            if (!string.IsNullOrWhiteSpace(family) &&
                string.Equals(resolve(family), family, StringComparison.OrdinalIgnoreCase))
                return family;
        }

        throw new InvalidOperationException(
            "No usable font was found, so chart text (titles, axis labels, legends) would be " +
            $"silently missing. Tried {string.Join(", ", preferred)} and {installed.Count} installed " +
            $"families. Install a font package, e.g. `{InstallHint}` (or `apt-get update && " +
            $"{InstallHint.Replace("install", "install -y", StringComparison.Ordinal)}`).");
    }

    private static string? ResolveWithSkia(string family)
    {
        using SKTypeface? typeface = SKTypeface.FromFamilyName(family);
        return typeface?.FamilyName;
    }

    private static List<string> InstalledFamilies()
    {
        SKFontManager manager = SKFontManager.Default;
        List<string> families = new(manager.FontFamilyCount);
        for (int i = 0; i < manager.FontFamilyCount; i++)
            families.Add(manager.GetFamilyName(i));
        return families;
    }
}
