using MoESim.Plots;
using SkiaSharp;

namespace MoESim.Tests.Plots;

[TestFixture]
public sealed class FontCheckTests
{
    [Test]
    public void EnsureFontAvailable_ReturnsAnInstalledFamily()
    {
        string family = FontCheck.EnsureFontAvailable();

        using SKTypeface typeface = SKTypeface.FromFamilyName(family);
        Assert.That(typeface.FamilyName, Is.EqualTo(family).IgnoreCase);
    }

    [Test]
    public void Resolve_PicksFirstPreferredFamilyThatIsInstalled()
    {
        string family = FontCheck.Resolve(
            ["Missing Sans", "DejaVu Sans", "Arial"], name => name == "Missing Sans" ? "Fallback" : name, []);

        Assert.That(family, Is.EqualTo("DejaVu Sans"));
    }

    [Test]
    public void Resolve_FallsBackToAnyInstalledFamily()
    {
        string family = FontCheck.Resolve(
            ["DejaVu Sans"], name => name == "Some Serif" ? "Some Serif" : "Some Serif", ["Some Serif"]);

        Assert.That(family, Is.EqualTo("Some Serif"));
    }

    [Test]
    public void Resolve_WithNoFontInstalled_ThrowsWithInstallHint()
    {
        // Skia's behaviour with no fonts: every request yields an empty-named default typeface.
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(
            () => FontCheck.Resolve(FontCheck.PreferredFamilies, _ => string.Empty, []))!;

        Assert.That(error.Message, Does.Contain("apt-get install fonts-dejavu-core"));
    }
}
