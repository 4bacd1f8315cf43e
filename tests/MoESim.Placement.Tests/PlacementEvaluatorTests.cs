using MoESim.Parallelism;
using static MoESim.Placement.Tests.PlacementFixtures;

namespace MoESim.Placement.Tests;

[TestFixture]
public class PlacementEvaluatorTests
{
    [Test]
    public void OneLayer_MatchesHandCalculation()
    {
        // Request 0 (origin device 0) sends 3 tokens to expert 1, request 1 (origin 1) one token.
        var stats = Stats(Shape(1, 2, 1), 2,
            Step(0, new[] { new[] { new[] { 1 }, new[] { 1 }, new[] { 1 } } }),
            Step(1, new[] { new[] { new[] { 1 } } }));
        var placement = new RoundRobinStrategy().Place(stats, Problem(2)).Placement; // e0 -> d0, e1 -> d1
        var score = PlacementEvaluator.Evaluate(placement, stats, Problem(2, tokensPerDevice: 2));
        // Scale = 2 tokens/device x 2 devices / 4 tokens = 1. Device 1 serves 4 pairs: 4 µs of math;
        // 3 tokens cross 0 -> 1 and back (3,000 B each way at 1 GB/s = 3 µs). Device 0: 0.5 µs weights + 3 µs.
        Assert.That(score.DeviceLoadTokens, Is.EqualTo(new[] { 0.0, 4.0 }));
        Assert.That(score.MaxDeviceLoadTokens, Is.EqualTo(4.0));
        Assert.That(score.MeanDeviceLoadTokens, Is.EqualTo(2.0));
        Assert.That(score.TrafficBytes[0, 1], Is.EqualTo(3000).Within(1e-9));
        Assert.That(score.TrafficBytes[1, 0], Is.EqualTo(3000).Within(1e-9));
        Assert.That(score.CrossDeviceBytes, Is.EqualTo(6000).Within(1e-9));
        Assert.That(score.LayerSeconds[0], Is.EqualTo(7e-6).Within(1e-12));
        Assert.That(score.MoeTokensPerSecond, Is.EqualTo(4 / 7e-6).Within(1e-6).Percent);
    }

    [Test]
    public void TwoLayers_FollowExperts_CoLocatedPairsCostNothing()
    {
        // One token from origin 0: expert 0 at layer 0, expert 1 at layer 1, k = 1.
        var stats = Stats(Shape(2, 2, 1), 1 + 1, Step(0, new[] { new[] { new[] { 0 } }, new[] { new[] { 1 } } }));
        var problem = Problem(2, tokensPerDevice: 0.5); // scale 1
        var apart = new ExpertPlacement(2, new[] { Layer(0, 1), Layer(0, 1) }, "apart"); // layer-1 expert 1 on device 1
        var together = new ExpertPlacement(2, new[] { Layer(0, 1), Layer(1, 0) }, "together"); // expert 1 on device 0
        // Apart: layer 1 dispatch 0 -> 1 (1,000 B) and final combine 1 -> 0 (1,000 B). Together: nothing crosses.
        Assert.That(PlacementEvaluator.Evaluate(apart, stats, problem).CrossDeviceBytes, Is.EqualTo(2000).Within(1e-9));
        Assert.That(PlacementEvaluator.Evaluate(together, stats, problem).CrossDeviceBytes, Is.EqualTo(0).Within(1e-9));
    }

    [Test]
    public void ReturnToOrigin_DispatchesAndCombinesEveryLayer()
    {
        var stats = Stats(Shape(2, 2, 1), 2, Step(0, new[] { new[] { new[] { 1 } }, new[] { new[] { 1 } } }));
        var problem = Problem(2, tokensPerDevice: 0.5, path: Placement.TokenPath.ReturnToOrigin);
        var rr = new RoundRobinStrategy().Place(stats, problem).Placement;
        // Each of 2 layers: 1,000 B out to device 1 and 1,000 B back.
        Assert.That(PlacementEvaluator.Evaluate(rr, stats, problem).CrossDeviceBytes, Is.EqualTo(4000).Within(1e-9));
    }

    [Test]
    public void InterNodeTraffic_UsesTheSlowerLink()
    {
        // Same as the hand calculation but the two devices sit in different nodes (0.25 GB/s): 3,000 B takes 12 µs.
        var stats = Stats(Shape(1, 2, 1), 2,
            Step(0, new[] { new[] { new[] { 1 }, new[] { 1 }, new[] { 1 } } }),
            Step(1, new[] { new[] { new[] { 1 } } }));
        var problem = Problem(2, tokensPerDevice: 2, devicesPerNode: 1);
        var score = PlacementEvaluator.Evaluate(new RoundRobinStrategy().Place(stats, problem).Placement, stats, problem);
        Assert.That(score.LayerSeconds[0], Is.EqualTo(4e-6 + 12e-6).Within(1e-12));
    }

    private static IReadOnlyList<ExpertReplica>[] Layer(int deviceOfExpert0, int deviceOfExpert1) =>
        new IReadOnlyList<ExpertReplica>[] { new[] { new ExpertReplica(deviceOfExpert0, 1) }, new[] { new ExpertReplica(deviceOfExpert1, 1) } };
}
