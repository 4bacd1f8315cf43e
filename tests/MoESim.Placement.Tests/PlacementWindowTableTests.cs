namespace MoESim.Placement.Tests;

[TestFixture]
public class PlacementWindowTableTests
{
    [Test]
    public void Summary_UnderAGermanCulture_PrintsDecimalPoints()
    {
        // Window 1: 60 µs static vs 50 µs re-placed, 1 ms migration over 2.5 serving steps:
        // amortised 50 µs + 1e-3 / 2.5 = 450 µs = 0.4500 ms; break-even 1e-3 / 10e-6 = 100 steps.
        var rows = PlacementWindowRowTests.TwoWindows(servingSteps: 2.5);
        var summary = PlacementFixtures.UnderCulture("de-DE", () => string.Join('\n', PlacementWindowTable.Summary(rows)));
        Assert.That(summary, Does.Contain("max device load 10.0 static vs 10.0 re-placed"));
        Assert.That(summary, Does.Contain("MoE time 0.0600 static vs 0.0500 re-placed ms/step"));
        Assert.That(summary, Does.Contain("0.001 GB moved in 1 re-placements, 0.0010 s each"));
        Assert.That(summary, Does.Contain("amortised over 2.5 serving steps per window (--steps-per-window): 0.4500 ms/step re-placed vs 0.0600 static"));
        Assert.That(summary, Does.Contain("break-even at 100 serving steps per window"));
    }

    // Nothing migrates: 50 µs static vs 60 µs re-placed gains nothing, 60 µs vs 50 µs gains 10 µs per step for free.
    [TestCase(50e-6, 60e-6, "no break-even: re-placed is not faster even before migration", "does not pay off (0 of 1 windows)")]
    [TestCase(60e-6, 50e-6, "break-even at once (nothing migrates)", "re-placement pays off (1 of 1 windows)")]
    public void Summary_NothingMigrates_BreakEvenFollowsTheGain(double staticSeconds, double replacedSeconds, string breakEven, string verdict)
    {
        var rows = new[] { PlacementWindowRowTests.Row(staticSeconds, staticSeconds, 0, window: 0), PlacementWindowRowTests.Row(staticSeconds, replacedSeconds, 0) };
        var summary = string.Join('\n', PlacementWindowTable.Summary(rows));
        Assert.That(summary, Does.EndWith(breakEven).And.Contain(verdict));
    }
}
