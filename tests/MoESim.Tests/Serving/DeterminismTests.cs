using MoESim.Cost;
using MoESim.Randomness;
using MoESim.Serving;
using MoESim.Traces;
using static MoESim.Tests.Serving.TestModels;
using MoESim.Runs;
using MoESim.Results;

namespace MoESim.Tests.Serving;

[TestFixture]
public class DeterminismTests
{
    private static IReadOnlyList<Request> Requests(ulong seed) =>
        PoissonRequestGenerator.Generate(40, 300.0, 4, 32, 2, 16, new SeededRandom(seed));

    private static SimulationResult RunMoe(IReadOnlyList<Request> requests, ulong routerSeed, double zipf = 1.2)
    {
        var device = MemoryBoundDevice();
        var router = new SyntheticRouter(new SyntheticRouterConfig { NumMoeLayers = 2, NumExperts = 8, TopK = 2, ZipfExponent = zipf, Seed = routerSeed });
        return ServingInstances.SingleDevice(new ModelWork(TinyMoe()), device, new RooflineTimeModel(device), requests, router,
            new ServingConfig { MaxBatchTokens = 64, MaxSequences = 64, MemoryUtilization = 1.0 }).Run();
    }

    [Test]
    public void Server_SameSeed_GivesBitIdenticalOutcomesAndIterations()
    {
        var a = RunMoe(Requests(7), routerSeed: 7);
        var b = RunMoe(Requests(7), routerSeed: 7);
        Assert.That(a.Iterations, Has.Count.GreaterThan(20));
        Assert.That(b.Requests, Is.EqualTo(a.Requests));   // record-struct equality: every field exact
        Assert.That(b.Iterations, Is.EqualTo(a.Iterations));
        Assert.That(b.MakespanSeconds, Is.EqualTo(a.MakespanSeconds));
        Assert.That(b.EventsProcessed, Is.EqualTo(a.EventsProcessed));
    }

    [Test]
    public void Server_DifferentRouterSeed_ChangesIterationTimings()
    {
        // Same requests; only the Zipf router's seed differs, so which experts a batch touches
        // (hence expert weight bytes on a memory-bound device) differs.
        var requests = Requests(7);
        var a = RunMoe(requests, routerSeed: 7);
        var b = RunMoe(requests, routerSeed: 8);
        var durationsA = a.Iterations.Select(i => i.EndPicoseconds - i.StartPicoseconds).ToArray();
        var durationsB = b.Iterations.Select(i => i.EndPicoseconds - i.StartPicoseconds).ToArray();
        Assert.That(durationsB, Is.Not.EqualTo(durationsA));
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "MoESim.sln"))) dir = dir.Parent;
        if (dir is null) Assert.Ignore("repository root (MoESim.sln) not found");
        return dir!.FullName;
    }

    private static SimulationOptions Options(ulong seed)
    {
        var root = RepoRoot();
        return new SimulationOptions
        {
            ModelPath = Path.Combine(root, "models", "mixtral-8x7b-fp8.yaml"),
            HardwarePath = Path.Combine(root, "hardware-profiles", "h100-sxm.yaml"),
            PoissonRequests = 30,
            PoissonRatePerSecond = 20,
            PromptTokensMin = 16,
            PromptTokensMax = 256,
            OutputTokensMin = 2,
            OutputTokensMax = 32,
            RouterZipfExponent = 1.0,
            Seed = seed,
        };
    }

    [Test]
    public void Runner_SameSeed_GivesIdenticalRun_DifferentSeedDiffers()
    {
        var a = SimulationRunner.Run(Options(42));
        var b = SimulationRunner.Run(Options(42));
        Assert.That(b.Result.Requests, Is.EqualTo(a.Result.Requests));
        Assert.That(b.Result.Iterations, Is.EqualTo(a.Result.Iterations));
        Assert.That(b.Metrics, Is.EqualTo(a.Metrics));
        Assert.That(a.EchoedInputs["seed"], Is.EqualTo("42"));
        Assert.That(a.Result.Requests, Has.Count.EqualTo(30));
        Assert.That(a.Result.Requests.Select(r => r.FinishPicoseconds), Has.All.GreaterThan(0));

        var c = SimulationRunner.Run(Options(43));
        Assert.That(c.Result.Iterations.Select(i => i.EndPicoseconds), Is.Not.EqualTo(a.Result.Iterations.Select(i => i.EndPicoseconds)));
    }
}
