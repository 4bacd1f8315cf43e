namespace MoESim.Tests.Cli;

/// <summary><c>moesim validate</c> on a hand-made profile and CSV (no ILGPU involved).</summary>
[TestFixture]
[NonParallelizable]
public sealed class ValidateCommandTests
{
    [Test]
    public void Fixture_PrintsHandComputedErrors_AndWritesReportFiles()
    {
        var outDir = CliTestSupport.TempDir();
        var (exit, stdout, stderr) = CliTestSupport.Run("validate", "--measured", "tests/MoESim.Tests/Fixtures/measured/fixture-device-2026-11-24.yaml", "--out", outDir);
        Assert.That(exit, Is.EqualTo(0), stderr);
        // Prediction = max(1e6 / 1e9, 1e5 / 1e9) / 0.5 = 2 ms for every row. Fit row: 0 %.
        // Held out: |2 - 2.5| / 2.5 = 20 %, |2 - 1.6| / 1.6 = 25 % → median 22.5, p90 = 20 + 0.9 · 5 = 24.5.
        var lines = stdout.Split('\n');
        var heldOut = lines.Single(l => l.StartsWith("gemm ", StringComparison.Ordinal) && l.Contains("held-out", StringComparison.Ordinal));
        Assert.That(heldOut, Does.Match(@"\s2\s+22\.5\s+24\.5"));
        var fit = lines.Single(l => l.StartsWith("gemm ", StringComparison.Ordinal) && l.Contains(" fit ", StringComparison.Ordinal));
        Assert.That(fit, Does.Match(@"\s1\s+0\.0\s+0\.0"));
        foreach (var file in new[] { "validation_fixture-device-2026-11-24.csv", "validation_fixture-device-2026-11-24.md", "parity_fixture-device-2026-11-24.png", "parity_fixture-device-2026-11-24.svg" })
            Assert.That(File.Exists(Path.Combine(outDir, file)), Is.True, file);
        Assert.That(File.ReadAllText(Path.Combine(outDir, "validation_fixture-device-2026-11-24.csv")), Does.Contain("held-out,0.0025,0.002,20.00"));
    }

    [Test]
    public void ProfileWithoutCalibration_IsBadInput()
    {
        var (exit, _, stderr) = CliTestSupport.Run("validate", "--measured", "hardware-profiles/h100-sxm.yaml", "--out", CliTestSupport.TempDir());
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("calibration: the profile has no calibration section"));
    }
}
