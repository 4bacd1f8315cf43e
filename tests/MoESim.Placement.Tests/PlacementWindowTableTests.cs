using System.Globalization;

namespace MoESim.Placement.Tests;

[TestFixture]
public class PlacementWindowTableTests
{
    [Test]
    public void Summary_UnderAGermanCulture_PrintsDecimalPoints()
    {
        // Window 1: 60 µs static vs 50 µs re-placed, 1 ms migration over 2.5 serving steps:
        // amortised 50 µs + 1e-3 / 2.5 = 450 µs = 0.4500 ms; break-even 1e-3 / 10e-6 = 100 steps.
        var rows = new[] { PlacementWindowRowTests.Row(60e-6, 60e-6, 0, servingSteps: 2.5, window: 0), PlacementWindowRowTests.Row(60e-6, 50e-6, 1e-3, servingSteps: 2.5) };
        var previous = CultureInfo.CurrentCulture;
        string summary;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            summary = string.Join('\n', PlacementWindowTable.Summary(rows));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
        Assert.That(summary, Does.Contain("max device load 10.0 static vs 10.0 re-placed"));
        Assert.That(summary, Does.Contain("MoE time 0.0600 static vs 0.0500 re-placed ms/step"));
        Assert.That(summary, Does.Contain("0.001 GB moved in 1 re-placements, 0.0010 s each"));
        Assert.That(summary, Does.Contain("amortised over 2.5 serving steps per window (--steps-per-window): 0.4500 ms/step re-placed vs 0.0600 static"));
        Assert.That(summary, Does.Contain("break-even at 100 serving steps per window"));
    }
}
