using System.Text.Json;
using MoESim.Traces.Synthetic;

namespace MoESim.Tests.Cli;

/// <summary><c>simulate --router-params</c>: the synthetic router v2 from a parameters file.</summary>
[TestFixture, NonParallelizable]
public class SimulateRouterParamsTests
{
    private static string WriteParams(int layers, int experts, int topK, double locality)
    {
        var path = Path.Combine(Path.GetTempPath(), $"moesim-router-{Guid.NewGuid():N}.params.json");
        var phase = new RoutingPhaseParameters { ZipfExponent = 1.0, Locality = locality, Affinity = 0.5 };
        GeneratorParametersFile.Write(path, new TraceGeneratorConfig
        {
            NumMoeLayers = layers, NumExperts = experts, TopK = topK, Seed = 99, Prefill = phase, Decode = phase,
        });
        return path;
    }

    [Test]
    public void RouterParams_DriveTheV2RouterAndTheRunSeedReplacesTheFileSeed()
    {
        // Mixtral fp8 (the default model): 32 MoE layers x 8 experts, top-2.
        var file = WriteParams(32, 8, 2, locality: 0.5);
        var a = Path.Combine(Path.GetTempPath(), $"moesim-rp-{Guid.NewGuid():N}");
        var b = Path.Combine(Path.GetTempPath(), $"moesim-rp-{Guid.NewGuid():N}");
        var (exit, _, stderr) = CliTestSupport.Run("simulate", "--max-requests", "20", "--router-params", file, "--out", a, "--no-plots");
        Assert.That(exit, Is.EqualTo(0), stderr);
        Assert.That(CliTestSupport.Run("simulate", "--max-requests", "20", "--router-params", file, "--out", b, "--no-plots").Exit, Is.EqualTo(0));
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(a, "report.json")));
        var router = report.RootElement.GetProperty("inputs").GetProperty("router").GetString()!;
        Assert.That(router, Does.Contain("v2").And.Contain("locality 0.5").And.Not.Contain("seed 99"));
        Assert.That(File.ReadAllText(Path.Combine(b, "requests.csv")), Is.EqualTo(File.ReadAllText(Path.Combine(a, "requests.csv"))));
    }

    [Test]
    public void RouterParams_ForAnotherShape_ExitTwoNamingBothShapes()
    {
        var file = WriteParams(4, 16, 2, locality: 0.2);
        var (exit, _, stderr) = CliTestSupport.Run("simulate", "--max-requests", "5", "--router-params", file, "--no-plots", "--out", Path.GetTempPath());
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("4 MoE layers x 16 experts").And.Contain("32 x 8"));
    }

    [Test]
    public void RouterParams_WithZipf_IsRejected()
    {
        var file = WriteParams(32, 8, 2, locality: 0.2);
        var (exit, _, stderr) = CliTestSupport.Run("simulate", "--max-requests", "5", "--router-params", file, "--zipf", "1.2", "--no-plots");
        Assert.That(exit, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("--router-params"));
    }
}
