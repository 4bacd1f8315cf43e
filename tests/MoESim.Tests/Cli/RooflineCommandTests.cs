namespace MoESim.Tests.Cli;

[TestFixture]
[NonParallelizable]
public class RooflineCommandTests
{
    [TestCase("mixtral-8x7b-fp8", "h100-sxm")]
    [TestCase("deepseek-v3", "h200")]
    [TestCase("codellama-34b", "a100-80gb")]
    public void Roofline_WritesPngSvgAndCsv(string model, string hardware)
    {
        var outDir = CliTestSupport.TempDir();
        var (exit, stdout, stderr) = CliTestSupport.Run("roofline", "--model", model, "--hardware", hardware, "--out", outDir);
        Assert.That(exit, Is.EqualTo(0), stderr);
        var stem = Path.Combine(outDir, $"roofline_{model}_{hardware}");
        Assert.That(new FileInfo(stem + ".png").Length, Is.GreaterThan(10_000));
        var svg = File.ReadAllText(stem + ".svg");
        Assert.That(svg, Does.Contain("Arithmetic intensity (FLOP/byte)").And.Contain("decode b=1024"));
        var csv = File.ReadAllLines(stem + ".csv");
        // 1 prefill + 6 decode settings, several operators each.
        Assert.That(csv.Skip(1).Select(l => l.Split(',')[0]).Distinct().Count(), Is.EqualTo(7));
        Assert.That(stdout, Does.Contain("operator points"));
    }
}
