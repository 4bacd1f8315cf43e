using MoESim.Parallelism;
using MoESim.Traces;
using static MoESim.Placement.Tests.PlacementFixtures;

namespace MoESim.Placement.Tests;

[TestFixture]
public class StrategyTests
{
    [Test]
    public void RoundRobin_PutsExpertOnDeviceModuloDevices()
    {
        var stats = Stats(Shape(2, 5, 1), 2, Step(0, new[] { new[] { new[] { 0 } }, new[] { new[] { 4 } } }));
        var p = new RoundRobinStrategy().Place(stats, Problem(2)).Placement;
        for (var l = 0; l < 2; l++)
            for (var e = 0; e < 5; e++)
                Assert.That(p.Replicas(l, e).ToArray(), Is.EqualTo(new[] { new ExpertReplica(e % 2, 1.0) }));
    }

    [Test]
    public void Greedy_ReplicatesTheHottestExpertOnTwoDevices()
    {
        // Expert 0 gets 6 of 9 tokens; one extra slot goes to it, its copies split over both devices.
        var tokens = new[] { 0, 0, 0, 0, 0, 0, 1, 2, 3 }.Select(e => new[] { e }).ToArray();
        var stats = Stats(Shape(1, 4, 1), 2, Step(0, new[] { tokens }));
        var p = new GreedyReplicationStrategy().Place(stats, Problem(2, extraReplicas: 1)).Placement;
        var copies = p.Replicas(0, 0).ToArray();
        Assert.That(copies.Select(c => c.Device).Order(), Is.EqualTo(new[] { 0, 1 }));
        Assert.That(copies.Select(c => c.Weight), Is.All.EqualTo(0.5));
        for (var e = 1; e < 4; e++) Assert.That(p.Replicas(0, e).Length, Is.EqualTo(1));
        // Loads 3+3 per copy of expert 0 plus 1, 1, 1: best split is 4 / 5 pairs.
        var score = PlacementEvaluator.Evaluate(p, stats, Problem(2, extraReplicas: 1, tokensPerDevice: 4.5));
        Assert.That(score.MaxDeviceLoadTokens, Is.EqualTo(5).Within(1e-9));
        Assert.That(Enumerable.Range(0, 2).Max(d => p.SlotsUsed(0, d)), Is.LessThanOrEqualTo(3));
    }

    [Test]
    public void Ilp_OneLayer_MatchesBruteForceOptimum()
    {
        // 6 experts with uneven loads from 2 origins, 3 devices x 2 slots: brute force over all 3^6 assignments.
        var stats = Stats(Shape(1, 6, 2), 3,
            Step(0, new[] { Tokens(new[] { 0, 1 }, new[] { 0, 2 }, new[] { 0, 3 }, new[] { 1, 4 }, new[] { 0, 5 }) }),
            Step(1, new[] { Tokens(new[] { 2, 3 }, new[] { 2, 0 }, new[] { 5, 0 }) }));
        var problem = Problem(3, tokensPerDevice: 8.0 / 3);
        var ilp = new IlpStrategy(timeLimitSeconds: 10).Place(stats, problem);
        var ilpSeconds = PlacementEvaluator.Evaluate(ilp.Placement, stats, problem).LayerSeconds[0];
        var best = BruteForce(stats, problem, previous: null, layer: 0);
        Assert.That(ilpSeconds, Is.EqualTo(best).Within(1e-4).Percent);
        Assert.That(ilp.OptimalityGap, Is.EqualTo(0).Within(1e-6));
    }

    [Test]
    public void Ilp_SecondLayer_MatchesBruteForceGivenTheFirst()
    {
        // Strong affinity: a token on expert i at layer 0 picks expert (i + 1) % 4 at layer 1.
        var layer0 = new[] { 0, 1, 2, 3, 0, 0, 1 };
        var steps = Enumerable.Range(0, 4).Select(r => Step(r, new[]
        {
            layer0.Select(e => new[] { (e + r) % 4 }).ToArray(),
            layer0.Select(e => new[] { (e + r + 1) % 4 }).ToArray(),
        })).ToArray();
        var stats = Stats(Shape(2, 4, 1), 2, steps);
        var problem = Problem(2, tokensPerDevice: 14);
        var ilp = new IlpStrategy(timeLimitSeconds: 10).Place(stats, problem).Placement;
        var score = PlacementEvaluator.Evaluate(ilp, stats, problem);
        var previous = new ExpertPlacement(2, new[] { Enumerable.Range(0, 4).Select(e => ilp.Replicas(0, e).ToArray()).ToArray<IReadOnlyList<ExpertReplica>>() }, "l0");
        var best = BruteForce(stats, problem, previous, layer: 1);
        Assert.That(score.LayerSeconds[1], Is.EqualTo(best).Within(1e-4).Percent);
    }

    [Test]
    public void SkewedTrace_GreedyAndIlpBeatRoundRobin()
    {
        var config = new SyntheticRouterConfig { NumMoeLayers = 4, NumExperts = 32, TopK = 4, ZipfExponent = 1.2, Seed = 7 };
        var steps = SyntheticTrace.Generate(config, requests: 64, stepsPerRequest: 4, tokensPerStep: 8);
        var (fit, held) = HeldOutSplit.Split(steps, SyntheticTrace.ShapeOf(config), 8, 0.25);
        var problem = Problem(8, extraReplicas: 8, tokensPerDevice: 64) with { Time = new ExpertTimeModel(2e-7, 1e-6, 4096) };
        var scores = PlacementStrategies.Names.ToDictionary(n => n,
            n => PlacementEvaluator.Evaluate(PlacementStrategies.Create(n, ilpTimeLimitSeconds: 2).Place(fit, problem).Placement, held, problem));
        foreach (var better in new[] { "greedy", "ilp" })
        {
            Assert.That(scores[better].MaxDeviceLoadTokens, Is.LessThan(scores["round-robin"].MaxDeviceLoadTokens * 0.8), better);
            Assert.That(scores[better].MoeSecondsPerStep, Is.LessThan(scores["round-robin"].MoeSecondsPerStep), better);
        }
        Assert.That(scores["ilp"].MoeSecondsPerStep, Is.LessThanOrEqualTo(scores["greedy"].MoeSecondsPerStep * 1.02));
    }

    [Test]
    public void UnknownStrategy_IsAnInputError()
    {
        var ex = Assert.Throws<Config.InputException>(() => PlacementStrategies.Create("random"));
        Assert.That(ex!.Message, Does.Contain("--strategy").And.Contain("round-robin, greedy, ilp"));
    }

    private static int[][] Tokens(params int[][] choices) => choices;
}
