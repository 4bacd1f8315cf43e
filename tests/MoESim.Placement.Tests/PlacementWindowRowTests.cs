namespace MoESim.Placement.Tests;

[TestFixture]
public class PlacementWindowRowTests
{
    /// <summary>A hand-made score of one MoE layer taking <paramref name="moeSeconds"/> per step on 2 devices.</summary>
    internal static PlacementScore Score(double moeSeconds, double maxLoadTokens = 10) => new()
    {
        Strategy = "hand",
        DeviceLoadTokens = [maxLoadTokens, 0],
        MaxDeviceLoadTokens = maxLoadTokens,
        MeanDeviceLoadTokens = maxLoadTokens / 2,
        TrafficBytes = new double[2, 2],
        CrossDeviceBytes = 0,
        LayerSeconds = [moeSeconds],
        MoeTokensPerSecond = 1,
    };

    /// <summary>Window 1 of a hand-made table: static and re-placed MoE seconds per step, and the migration's seconds.</summary>
    internal static PlacementWindowRow Row(double staticSeconds, double replacedSeconds, double migrationSeconds, double servingSteps = 100, int window = 1) => new()
    {
        Window = window,
        TraceSteps = 1,
        Tokens = 20,
        Static = Score(staticSeconds),
        Replaced = Score(replacedSeconds),
        Migration = migrationSeconds == 0
            ? PlacementMigration.None(2)
            : new PlacementMigration { CopiesMoved = 1, DeviceInBytes = [1e6, 0], Bytes = 1e6, Seconds = migrationSeconds },
        ServingStepsPerWindow = servingSteps,
    };

    /// <summary>
    /// Windows 0 and 1 over <paramref name="servingSteps"/> serving steps each: 60 µs static; re-placed
    /// 60 µs in window 0 (nothing moves), 50 µs in window 1 after a 1 ms migration.
    /// </summary>
    internal static PlacementWindowRow[] TwoWindows(double servingSteps) =>
        [Row(60e-6, 60e-6, 0, servingSteps, window: 0), Row(60e-6, 50e-6, 1e-3, servingSteps)];

    // 50 µs static vs 60 µs re-placed (gain -10 µs per step) or 50 µs (gain 0): nothing to repay, but nothing gained.
    [TestCase(60e-6)]
    [TestCase(50e-6)]
    public void NothingMigrates_ReplacedNotFaster_NeverBreaksEven(double replacedSeconds)
    {
        var row = Row(50e-6, replacedSeconds, 0);
        Assert.That(row.BreakEvenServingSteps, Is.EqualTo(double.PositiveInfinity));
        Assert.That(row.PaysOff, Is.False);
        Assert.That(PlacementWindowTable.ToCsv([row]).Split('\n')[1], Does.EndWith(",never,no"));
    }

    [Test]
    public void NothingMigrates_ReplacedFaster_BreaksEvenAtOnce()
    {
        // 60 µs static vs 50 µs re-placed and a free migration: repaid after 0 serving steps.
        var row = Row(60e-6, 50e-6, 0);
        Assert.That(row.BreakEvenServingSteps, Is.Zero);
        Assert.That(row.PaysOff, Is.True);
        Assert.That(PlacementWindowTable.ToCsv([row]).Split('\n')[1], Does.EndWith(",0,yes"));
    }

    [Test]
    public void Migrates_ReplacedFaster_BreakEvenIsMigrationOverGain()
    {
        // 1 ms migration repaid by 60 - 50 = 10 µs per step: 1e-3 / 1e-5 = 100 serving steps.
        var row = Row(60e-6, 50e-6, 1e-3, servingSteps: 1000);
        Assert.That(row.BreakEvenServingSteps, Is.EqualTo(100).Within(1e-9).Percent);
        // Amortised over 1000 steps: 50 µs + 1 µs = 51 µs < 60 µs.
        Assert.That(row.ReplacedAmortisedSecondsPerStep, Is.EqualTo(51e-6).Within(1e-9).Percent);
        Assert.That(row.PaysOff, Is.True);
        Assert.That(PlacementWindowTable.ToCsv([row]).Split('\n')[1], Does.EndWith(",100,yes"));
    }

    [Test]
    public void Migrates_ReplacedSlower_NeverBreaksEven()
    {
        var row = Row(50e-6, 60e-6, 1e-3);
        Assert.That(row.BreakEvenServingSteps, Is.EqualTo(double.PositiveInfinity));
        Assert.That(row.PaysOff, Is.False);
    }
}
