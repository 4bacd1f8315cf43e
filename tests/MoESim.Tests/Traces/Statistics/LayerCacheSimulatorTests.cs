using MoESim.Traces.Statistics;

namespace MoESim.Tests.Traces.Statistics;

[TestFixture]
public class LayerCacheSimulatorTests
{
    [Test]
    public void ReuseDistancesAreDistinctExpertsSinceLastUse()
    {
        // Accesses 0 1 0 2 1 1 3 0: first uses of 0,1,2,3 (4 cold); 0 after {1}: 1; 1 after {0,2}: 2;
        // 1 again: 0; 0 after {2,1,3}: 3.
        var sim = new LayerCacheSimulator(4, [1, 2]);
        var distances = new long[5];
        var lfu = new long[2];
        foreach (var e in new[] { 0, 1, 0, 2, 1, 1, 3, 0 }) sim.Access(e, distances, lfu);
        Assert.That(distances, Is.EqualTo(new long[] { 1, 1, 1, 1, 4 }));
    }

    [Test]
    public void LfuKeepsTheMostFrequentAndBreaksTiesByInsertionOrder()
    {
        // Size 1 cache: 0 (miss, in), 0 (hit), 1 (miss: evicts 0 (count 2) anyway, a size-1 cache
        // always admits), 1 (hit), 0 (miss). Size 2: 0 m, 0 h, 1 m, 1 h, 0 h, 2 m (evicts 1: count
        // 2 vs 3), 1 m (evicts 2: count 1), 0 h. Hits: size 1 = 2, size 2 = 4.
        var sim = new LayerCacheSimulator(3, [1, 2]);
        var distances = new long[4];
        var lfu = new long[2];
        foreach (var e in new[] { 0, 0, 1, 1, 0, 2, 1, 0 }) sim.Access(e, distances, lfu);
        Assert.That(lfu[1], Is.EqualTo(4));
        Assert.That(lfu[0], Is.EqualTo(2));
    }

    [Test]
    public void LfuTieEvictsTheEarliestInserted()
    {
        // Size 2: 0, 1 inserted with count 1 each; 2 arrives: tie, evict 0 (earlier). Then 1 hits, 0 misses.
        var sim = new LayerCacheSimulator(3, [2]);
        var lfu = new long[1];
        foreach (var e in new[] { 0, 1, 2, 1, 0 }) sim.Access(e, new long[4], lfu);
        Assert.That(lfu[0], Is.EqualTo(1));
    }
}
