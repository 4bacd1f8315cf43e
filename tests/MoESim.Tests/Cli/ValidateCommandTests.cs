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
        // Prediction = max(1e6 / 1e9, 1e5 / 1e9) / 0.5 = 2 ms for every row, compared with each
        // row's 10th-percentile time. Fit row: |2 - 1.9| / 1.9 = 5.263 %.
        // Held out: |2 - 2.4| / 2.4 = 16.667 %, |2 - 1.5| / 1.5 = 33.333 % → median 25.0, p90 = 16.667 + 0.9 · 16.667 = 31.7.
        var lines = stdout.Split('\n');
        var heldOut = lines.Single(l => l.StartsWith("gemm ", StringComparison.Ordinal) && l.Contains("held-out", StringComparison.Ordinal));
        Assert.That(heldOut, Does.Match(@"\s2\s+25\.0\s+31\.7"));
        var fit = lines.Single(l => l.StartsWith("gemm ", StringComparison.Ordinal) && l.Contains(" fit ", StringComparison.Ordinal));
        Assert.That(fit, Does.Match(@"\s1\s+5\.3\s+5\.3"));
        // The SVG export prints nothing of its own (dash patterns and filled polygons would).
        Assert.That(stdout + stderr, Does.Not.Contain("Unsupported"));
        foreach (var file in new[] { "validation_fixture-device-2026-11-24.csv", "validation_fixture-device-2026-11-24.md", "parity_fixture-device-2026-11-24.png", "parity_fixture-device-2026-11-24.svg" })
            Assert.That(File.Exists(Path.Combine(outDir, file)), Is.True, file);
        Assert.That(File.ReadAllText(Path.Combine(outDir, "validation_fixture-device-2026-11-24.csv")), Does.Contain("held-out,0.0024,0.002,16.67"));
    }

    [Test]
    public void ProfileWithoutCalibration_IsBadInput()
    {
        var (exit, _, stderr) = CliTestSupport.Run("validate", "--measured", "hardware-profiles/h100-sxm.yaml", "--out", CliTestSupport.TempDir());
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("calibration: the profile has no calibration section"));
    }
}
