using MoESim.Parallelism;
using static MoESim.Placement.Tests.PlacementFixtures;

namespace MoESim.Placement.Tests;

[TestFixture]
public class IlpLayerCoefficientsTests
{
    // 4 devices in 2 nodes of 2 (intra 1 GB/s, inter 0.25 GB/s, 1,000 B per token). One request
    // (origin device 0), three tokens: layer 0 experts [0, 0, 1], layer 1 experts [2, 3, 2].
    // Layer 0 fixed as expert 0 -> device 0, 1 -> device 2, 2 -> device 1, 3 -> device 3. With
    // 0.75 tokens per device per step the scale is 1, so layer 1 receives 1,000 B for expert 2
    // from device 0 (token 0 via expert 0) and 1,000 B from device 2 (token 2 via expert 1), and
    // 1,000 B for expert 3 from device 0; as the last layer it returns 2,000 B (expert 2) and
    // 1,000 B (expert 3) to the origin, device 0.
    private static (IlpLayerCoefficients C, double[] In, double[] Out, RoutingStatistics Stats, PlacementProblem Problem, ExpertPlacement Layer0) Layer1()
    {
        var stats = Stats(Shape(2, 4, 1), 4, Step(0, new[]
        {
            new[] { new[] { 0 }, new[] { 0 }, new[] { 1 } },
            new[] { new[] { 2 }, new[] { 3 }, new[] { 2 } },
        }));
        var problem = Problem(4, tokensPerDevice: 0.75, devicesPerNode: 2);
        var layer0 = new ExpertPlacement(4, new[] { new[] { 0, 2, 1, 3 }.Select(d => (IReadOnlyList<ExpertReplica>)new[] { new ExpertReplica(d, 1) }).ToArray() }, "l0");
        var inBytes = new double[16];
        var outBytes = new double[16];
        LayerFlows.Compute(stats, problem, 1, LayerFlows.Shares(layer0, 0), stats.PerStepScale(0.75), inBytes, outBytes);
        var c = new IlpLayerCoefficients(stats.Loads[1].ToArray(), new[] { 1, 1, 1, 1 }, inBytes, outBytes, problem);
        return (c, inBytes, outBytes, stats, problem, layer0);
    }

    private static double Seconds(IlpLayerCoefficients c, long units) => units * c.UnitSeconds;

    [Test]
    public void CrossLayerCoefficients_MatchHandCalculation()
    {
        var (c, inBytes, outBytes, _, _, _) = Layer1();
        Assert.That(inBytes[2 * 4 + 0], Is.EqualTo(1000).Within(1e-9));
        Assert.That(inBytes[2 * 4 + 2], Is.EqualTo(1000).Within(1e-9));
        Assert.That(inBytes[3 * 4 + 0], Is.EqualTo(1000).Within(1e-9));
        Assert.That(outBytes[2 * 4 + 0], Is.EqualTo(2000).Within(1e-9));
        const int expert2OnDevice1 = 2 * 4 + 1; // copy 2 (expert 2), device 1 (node 0)
        // Expert 2 on device 1 receives 1,000 B from device 2 (other node): 1,000 / 0.25e9 = 4 µs.
        Assert.That(Seconds(c, c.InterIn.X[expert2OnDevice1]), Is.EqualTo(4e-6).Within(1e-4).Percent);
        // ... and 1,000 B from device 0 (same node): 1 µs.
        Assert.That(Seconds(c, c.IntraIn.X[expert2OnDevice1]), Is.EqualTo(1e-6).Within(1e-4).Percent);
        // It returns 2,000 B to device 0 inside the node: 2 µs out; nothing leaves the node.
        Assert.That(Seconds(c, c.IntraOut.X[expert2OnDevice1]), Is.EqualTo(2e-6).Within(1e-4).Percent);
        Assert.That(c.InterOut.X[expert2OnDevice1], Is.EqualTo(0));
        // Device 0 gets 2,000 B from expert 2 wherever it sits outside device 0: inside the node
        // (y term, 2 µs) or in the other node (constant 8 µs less y term 8 µs).
        Assert.That(Seconds(c, c.IntraIn.Y[2 * 4 + 0]), Is.EqualTo(2e-6).Within(1e-4).Percent);
        Assert.That(Seconds(c, c.InterIn.Y[2 * 4 + 0]), Is.EqualTo(-8e-6).Within(1e-4).Percent);
        // Constant: expert 2 (8 µs) and expert 3 (4 µs) both answer device 0 from another node unless y says otherwise.
        Assert.That(Seconds(c, c.InterIn.Constant[0]), Is.EqualTo(12e-6).Within(1e-4).Percent);
    }

    [TestCase(new[] { 0, 2, 1, 3 })]
    [TestCase(new[] { 3, 3, 0, 2 })]
    [TestCase(new[] { 1, 0, 2, 1 })]
    public void DeviceValues_MatchTheEvaluatorsTraffic(int[] host)
    {
        var (c, inBytes, outBytes, stats, problem, _) = Layer1();
        var shares = new double[16];
        for (var e = 0; e < 4; e++) shares[e * 4 + host[e]] = 1;
        var traffic = new double[4, 4];
        PlacementEvaluator.Accumulate(stats.Loads[1].ToArray(), shares, inBytes, outBytes, 1.0, 4, traffic, new double[4], new int[4]);
        for (var d = 0; d < 4; d++)
        {
            double intraIn = 0, intraOut = 0, interIn = 0, interOut = 0;
            for (var a = 0; a < 4; a++)
            {
                if (a == d) continue;
                if (a / 2 == d / 2) { intraIn += traffic[a, d]; intraOut += traffic[d, a]; }
                else { interIn += traffic[a, d]; interOut += traffic[d, a]; }
            }
            Assert.That(Seconds(c, c.Value(c.IntraIn, host, d)), Is.EqualTo(intraIn / 1e9).Within(1e-11), $"intra in, device {d}");
            Assert.That(Seconds(c, c.Value(c.IntraOut, host, d)), Is.EqualTo(intraOut / 1e9).Within(1e-11), $"intra out, device {d}");
            Assert.That(Seconds(c, c.Value(c.InterIn, host, d)), Is.EqualTo(interIn / 0.25e9).Within(1e-11), $"inter in, device {d}");
            Assert.That(Seconds(c, c.Value(c.InterOut, host, d)), Is.EqualTo(interOut / 0.25e9).Within(1e-11), $"inter out, device {d}");
        }
    }

    [Test]
    public void AveragingBound_IsBelowTheBruteForceOptimum()
    {
        var (c, _, _, stats, problem, layer0) = Layer1();
        var best = BruteForce(stats, problem, layer0, layer: 1);
        var bound = Seconds(c, c.LowerBoundUnits);
        Assert.That(bound, Is.GreaterThan(0));
        Assert.That(bound, Is.LessThanOrEqualTo(best * (1 + 1e-6)));
    }
}
