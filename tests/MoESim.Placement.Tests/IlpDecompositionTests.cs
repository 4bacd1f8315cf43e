using MoESim.Traces;
using static MoESim.Placement.Tests.PlacementFixtures;

namespace MoESim.Placement.Tests;

/// <summary>The ILP on several nodes: whole-layer model and the two-stage decomposition (nodes, then devices).</summary>
[TestFixture]
public class IlpDecompositionTests
{
    // 7 experts with uneven loads from 4 origins on 2 nodes of 2 devices (inter-node 4x slower): brute force over 4^7 assignments.
    private static (RoutingStatistics Stats, PlacementProblem Problem) TwoNodes()
    {
        var config = new SyntheticRouterConfig { NumMoeLayers = 1, NumExperts = 7, TopK = 2, ZipfExponent = 1.0, Seed = 3 };
        var steps = SyntheticTrace.Generate(config, requests: 8, stepsPerRequest: 2, tokensPerStep: 4);
        var stats = HeldOutSplit.Split(steps, SyntheticTrace.ShapeOf(config), 4, 0).Fit;
        return (stats, Problem(4, tokensPerDevice: 4, devicesPerNode: 2));
    }

    [Test]
    public void WholeLayerModel_TwoNodes_MatchesBruteForce()
    {
        var (stats, problem) = TwoNodes();
        var ilp = new IlpStrategy(timeLimitSeconds: 20).Place(stats, problem);
        var seconds = PlacementEvaluator.Evaluate(ilp.Placement, stats, problem).LayerSeconds[0];
        Assert.That(seconds, Is.EqualTo(BruteForce(stats, problem, previous: null, layer: 0)).Within(1e-4).Percent);
        Assert.That(ilp.OptimalityGap, Is.EqualTo(0).Within(1e-4));
        Assert.That(ilp.Note, Does.Not.Contain("two stages"));
    }

    [Test]
    public void TwoStages_BracketTheBruteForceOptimum()
    {
        var (stats, problem) = TwoNodes();
        var ilp = new IlpStrategy(timeLimitSeconds: 20) { MonolithicMaxBinaries = 0 }.Place(stats, problem);
        var seconds = PlacementEvaluator.Evaluate(ilp.Placement, stats, problem).LayerSeconds[0];
        var greedy = PlacementEvaluator.Evaluate(new GreedyReplicationStrategy().Place(stats, problem).Placement, stats, problem).LayerSeconds[0];
        var best = BruteForce(stats, problem, previous: null, layer: 0);
        Assert.That(ilp.Note, Does.Contain("two stages"));
        Assert.That(seconds, Is.LessThanOrEqualTo(greedy * (1 + 1e-12)));
        Assert.That(seconds, Is.GreaterThanOrEqualTo(best * (1 - 1e-9)));
        // The stated gap holds the optimum: incumbent × (1 − gap) is a lower bound on it (units round at ~1e-6).
        Assert.That(ilp.OptimalityGap, Is.InRange(0.0, 1.0));
        Assert.That(seconds * (1 - ilp.OptimalityGap!.Value), Is.LessThanOrEqualTo(best * (1 + 1e-5)));
        Assert.That(ilp.LayerGaps, Has.Count.EqualTo(1));
    }
}
