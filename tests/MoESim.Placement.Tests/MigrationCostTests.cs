using MoESim.Parallelism;

namespace MoESim.Placement.Tests;

[TestFixture]
public class MigrationCostTests
{
    private static ExpertPlacement Placement(int devices, params (int Device, double Weight)[][] experts) =>
        new(devices, new[] { experts.Select(e => (IReadOnlyList<ExpertReplica>)e.Select(r => new ExpertReplica(r.Device, r.Weight)).ToArray()).ToArray() }, "hand");

    [Test]
    public void NewCopies_ComeFromTheReceiversNodeIfPossible_ElseOverTheInterNodeLink()
    {
        // 4 devices in 2 nodes (d0, d1 | d2, d3); intra 1 GB/s, inter 0.25 GB/s, 1 MB per expert.
        var problem = PlacementFixtures.Problem(4, devicesPerNode: 2);
        var from = Placement(4, [(0, 1.0)], [(1, 1.0)]);
        var to = Placement(4, [(0, 0.5), (2, 0.5)], [(1, 0.5), (0, 0.5)]);
        var m = MigrationCost.Between(from, to, problem);
        // Expert 0 to d2: no old host in node 1, so d0 sends it between nodes. Expert 1 to d0: d1 sends it inside node 0.
        Assert.That(m.CopiesMoved, Is.EqualTo(2));
        Assert.That(m.Bytes, Is.EqualTo(2e6));
        Assert.That(m.DeviceInBytes, Is.EqualTo(new[] { 1e6, 0, 1e6, 0 }));
        // d0: receives 1 MB inside its node (1 ms) and sends 1 MB to the other node (4 ms) = 5 ms; d2: 4 ms; d1: 1 ms.
        Assert.That(m.Seconds, Is.EqualTo(5e-3).Within(1e-9).Percent);
    }

    [Test]
    public void ChangedSharesOnTheSameDevices_MoveNothing()
    {
        var problem = PlacementFixtures.Problem(2);
        var from = Placement(2, [(0, 0.5), (1, 0.5)], [(1, 1.0)]);
        var to = Placement(2, [(1, 0.1), (0, 0.9)], [(1, 1.0)]);
        var m = MigrationCost.Between(from, to, problem);
        Assert.That(m.CopiesMoved, Is.Zero);
        Assert.That(m.Bytes, Is.Zero);
        Assert.That(m.Seconds, Is.Zero);
    }

    [TestCase(1, 1e6)]
    [TestCase(3, 3e6)]
    public void SwappedExperts_MoveBothWays_TimeIsTheBusiestDirection(int layers, double bytesEachWay)
    {
        // Two experts swap devices on every layer: each device receives and sends one expert per layer over NVLink-like 1 GB/s.
        var problem = PlacementFixtures.Problem(2);
        IReadOnlyList<ExpertReplica>[] Layer(int a, int b) => [new[] { new ExpertReplica(a, 1) }, new[] { new ExpertReplica(b, 1) }];
        var from = new ExpertPlacement(2, Enumerable.Range(0, layers).Select(_ => Layer(0, 1)).ToArray(), "a");
        var to = new ExpertPlacement(2, Enumerable.Range(0, layers).Select(_ => Layer(1, 0)).ToArray(), "b");
        var m = MigrationCost.Between(from, to, problem);
        Assert.That(m.CopiesMoved, Is.EqualTo(2 * layers));
        Assert.That(m.DeviceInBytes, Is.EqualTo(new[] { bytesEachWay, bytesEachWay }));
        Assert.That(m.Seconds, Is.EqualTo(bytesEachWay / 1e9).Within(1e-9).Percent, "max(in, out) / bandwidth, devices in parallel");
    }

    [Test]
    public void PlacementsOfDifferentShape_AreRejected()
    {
        var problem = PlacementFixtures.Problem(2);
        Assert.Throws<ArgumentException>(() => MigrationCost.Between(Placement(2, [(0, 1.0)]), Placement(2, [(0, 1.0)], [(1, 1.0)]), problem));
    }
}
