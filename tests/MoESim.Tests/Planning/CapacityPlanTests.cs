using MoESim.Planning;

namespace MoESim.Tests.Planning;

/// <summary>Choosing among options, and the price arithmetic, on hand-made rows.</summary>
[TestFixture]
public class CapacityPlanTests
{
    private static readonly CapacityCandidate Cheap = new() { Name = "cheap", DevicePath = "cheap.yaml", DevicesPerReplica = 1, PricePerHourUsd = 2.0 };
    private static readonly CapacityCandidate Dear = new() { Name = "dear", DevicePath = "dear.yaml", DevicesPerReplica = 1, PricePerHourUsd = 3.0 };
    private static readonly CapacityCandidate Node = new() { Name = "node", SystemPath = "node.yaml", DevicesPerReplica = 8, PricePerHourUsd = 6.0 };

    private static CapacityPlanRow Row(CapacityCandidate c, int replicas, double tpotMs, bool meets) => new()
    {
        Candidate = c,
        Replicas = replicas,
        TpotSeconds = tpotMs / 1e3,
        TtftSeconds = 0.1,
        OutputTokensPerSecond = 1000,
        MeetsObjective = meets,
    };

    [Test]
    public void PriceDevicesAndCostPerToken_FollowTheReplicas()
    {
        var row = Row(Node, 3, 10, true);
        Assert.That((row.Devices, row.PricePerHourUsd), Is.EqualTo((24, 18.0)));
        // $18 per hour at 1000 tokens/s: 18 / 3600 / 1000 × 1e6 = $5 per million tokens.
        Assert.That(row.UsdPerMillionOutputTokens, Is.EqualTo(5.0).Within(1e-12));
    }

    [Test]
    public void Cheapest_IsTheLowestPriceAmongOptionsMeetingTheObjective()
    {
        // cheap x1 ($2) misses; dear x1 ($3) and cheap x2 ($4) meet: dear x1 wins.
        var rows = new[] { Row(Cheap, 1, 30, false), Row(Cheap, 2, 15, true), Row(Dear, 1, 18, true), Row(Dear, 2, 12, true) };
        Assert.That(CapacityPlan.Cheapest(rows), Is.SameAs(rows[2]));
    }

    [Test]
    public void Cheapest_BreaksAPriceTieByFewerDevicesThenLowerTpot()
    {
        // $6 three ways: 3 x cheap (3 GPUs), 2 x dear (2 GPUs), 1 x node (8 GPUs): 2 x dear wins.
        var rows = new[] { Row(Cheap, 3, 10, true), Row(Node, 1, 5, true), Row(Dear, 2, 12, true) };
        Assert.That(CapacityPlan.Cheapest(rows), Is.SameAs(rows[2]));
        var sameDevices = new[] { Row(Dear, 2, 12, true), Row(Dear, 2, 11, true) };
        Assert.That(CapacityPlan.Cheapest(sameDevices), Is.SameAs(sameDevices[1]));
    }

    [Test]
    public void Cheapest_IsNullWhenNothingMeetsTheObjective() =>
        Assert.That(CapacityPlan.Cheapest([Row(Cheap, 1, 30, false)]), Is.Null);

    [TestCase(95, 0.02, null, "slo_percentile")]
    [TestCase(90, 0.0, null, "tpot_slo_ms")]
    [TestCase(90, 0.02, -1.0, "ttft_slo_ms")]
    public void Objective_BadLimits_AreNamed(int percentile, double tpot, double? ttft, string field)
    {
        var problems = new LatencyObjective { Percentile = percentile, TpotSeconds = tpot, TtftSeconds = ttft }.Validate().ToList();
        Assert.That(problems.Select(p => p.Field), Is.EqualTo(new[] { field }));
    }
}
