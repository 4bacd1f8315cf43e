using MoESim.Engine;

namespace MoESim.Tests.Engine;

[TestFixture]
public class MaxMinFairShareTests
{
    private const double Tol = 1e-9; // percent

    [Test]
    public void Three_link_case_matches_hand_computation()
    {
        // Same case as the flow network test: capacities 10, 6, 8; routes [0], [0,1], [1,2], [2].
        int[] offsets = [0, 1, 3, 5, 6];
        int[] links = [0, 0, 1, 1, 2, 2];
        double[] capacity = [10, 6, 8];
        var rates = new double[4];
        new MaxMinFairShare().Solve(offsets, links, capacity, rates);
        Assert.That(rates[0], Is.EqualTo(7).Within(Tol).Percent);
        Assert.That(rates[1], Is.EqualTo(3).Within(Tol).Percent);
        Assert.That(rates[2], Is.EqualTo(3).Within(Tol).Percent);
        Assert.That(rates[3], Is.EqualTo(5).Within(Tol).Percent);
    }

    [Test]
    public void Parking_lot_long_flow_gets_an_equal_share_of_each_hop()
    {
        // Classic parking lot: one flow over links 0,1,2 and one single-hop flow per link, all
        // capacity 1. Every link has two flows, so everyone gets 1/2.
        int[] offsets = [0, 3, 4, 5, 6];
        int[] links = [0, 1, 2, 0, 1, 2];
        double[] capacity = [1, 1, 1];
        var rates = new double[4];
        new MaxMinFairShare().Solve(offsets, links, capacity, rates);
        Assert.That(rates, Is.EqualTo(new[] { 0.5, 0.5, 0.5, 0.5 }).Within(Tol).Percent);
    }

    [Test]
    public void Unused_capacity_goes_to_flows_not_limited_elsewhere()
    {
        // Link 0 (cap 1) carries flows A and B; B also crosses link 1 (cap 0.2). B is held to 0.2,
        // so A takes the remaining 0.8 of link 0.
        int[] offsets = [0, 1, 3];
        int[] links = [0, 0, 1];
        double[] capacity = [1, 0.2];
        var rates = new double[2];
        new MaxMinFairShare().Solve(offsets, links, capacity, rates);
        Assert.That(rates[0], Is.EqualTo(0.8).Within(Tol).Percent);
        Assert.That(rates[1], Is.EqualTo(0.2).Within(Tol).Percent);
    }
}
