using MoESim.Parallelism;

namespace MoESim.Tests.Parallelism;

[TestFixture]
public class ExpertPlacementTests
{
    [TestCase(8, 4, new[] { 0, 0, 1, 1, 2, 2, 3, 3 })]
    [TestCase(6, 4, new[] { 0, 0, 1, 2, 2, 3 })]
    [TestCase(3, 3, new[] { 0, 1, 2 })]
    public void Contiguous_PutsExpertBlocksOnDevices(int experts, int devices, int[] expected)
    {
        var p = ExpertPlacement.Contiguous(2, experts, devices);
        for (var l = 0; l < 2; l++)
            for (var e = 0; e < experts; e++)
            {
                Assert.That(p.Replicas(l, e).Length, Is.EqualTo(1));
                Assert.That(p.Replicas(l, e)[0].Device, Is.EqualTo(expected[e]));
            }
        Assert.That(Enumerable.Range(0, devices).Sum(d => p.SlotsUsed(1, d)), Is.EqualTo(experts));
    }

    [Test]
    public void Replicas_KeepTheirWeightsAndDevices()
    {
        var layer = new IReadOnlyList<ExpertReplica>[]
        {
            new[] { new ExpertReplica(0, 0.25), new ExpertReplica(1, 0.75) },
            new[] { new ExpertReplica(1, 1.0) },
        };
        var p = new ExpertPlacement(2, new[] { layer }, "hand");
        Assert.That(p.Replicas(0, 0).ToArray(), Is.EqualTo(new[] { new ExpertReplica(0, 0.25), new ExpertReplica(1, 0.75) }));
        Assert.That(p.SlotsUsed(0, 1), Is.EqualTo(2));
        Assert.That(p.SlotsUsed(0, 0), Is.EqualTo(1));
    }

    [TestCase(2, 0.5, 0.5, "device 2 is not in 0..1")]
    [TestCase(0, 0.5, 0.4, "sum to 0.9")]
    [TestCase(0, -0.1, 1.1, "not in (0, 1]")]
    public void BadReplicas_AreRejectedWithTheReason(int device, double w0, double w1, string message)
    {
        var layer = new IReadOnlyList<ExpertReplica>[] { new[] { new ExpertReplica(device, w0), new ExpertReplica(1, w1) } };
        var ex = Assert.Throws<ArgumentException>(() => _ = new ExpertPlacement(2, new[] { layer }, "bad"));
        Assert.That(ex!.Message, Does.Contain(message));
    }

    [Test]
    public void UnplacedExpert_IsRejected()
    {
        var layer = new IReadOnlyList<ExpertReplica>[] { new[] { new ExpertReplica(0, 1.0) }, Array.Empty<ExpertReplica>() };
        var ex = Assert.Throws<ArgumentException>(() => _ = new ExpertPlacement(2, new[] { layer }, "bad"));
        Assert.That(ex!.Message, Does.Contain("expert 1 has no device"));
    }
}
