using MoESim.Traces.Statistics;

namespace MoESim.Tests.Traces.Statistics;

[TestFixture]
public class CoactivationMatrixTests
{
    [Test]
    public void CountsPastTheSixteenBitCellsAreExact()
    {
        // 70,000 tokens (k = 2) all using experts {1, 2} at l and {0, 3} at l+1, in calls of
        // 30,000, 30,000 and 10,000 tokens: cells (1,0), (1,3), (2,0), (2,3) must read 70,000
        // (a 16-bit cell alone would have wrapped to 4,464).
        var m = new CoactivationMatrix(4);
        foreach (var tokens in new[] { 30_000, 30_000, 10_000 })
        {
            var layer = Enumerable.Range(0, tokens).SelectMany(_ => new ushort[] { 1, 2 }).ToArray();
            var next = Enumerable.Range(0, tokens).SelectMany(_ => new ushort[] { 0, 3 }).ToArray();
            m.Add(layer, next, 2);
        }
        var counts = m.Counts();
        Assert.That(counts, Is.EqualTo(new[] { 0, 0, 0, 0, 70_000, 0, 0, 70_000, 70_000, 0, 0, 70_000, 0, 0, 0, 0 }));
        Assert.That(m.Measure(0, 1), Is.EqualTo(AffinityMeasures.Measure(0, counts, 4, 1)));
    }
}
