using MoESim.Randomness;
using MoESim.Traces.Replay;

namespace MoESim.Tests.Traces.Replay;

/// <summary>First and last token of each expert in one layer's ids, against a plain scan.</summary>
[TestFixture]
public class ExpertPositionScanTests
{
    [Test]
    public void HandCase()
    {
        // top-2, tokens: [0,1] [2,3] [1,2] [0,3]; expert 4 never appears; ordinals start at 10.
        byte[] ids = [0, 1, 2, 3, 1, 2, 0, 3];
        var first = new int[5];
        var last = new int[5];
        Array.Fill(first, -9);
        Array.Fill(last, -9);
        ulong[] missing = [0b11111];
        ExpertPositionScan.First(ids, 2, missing, 10, first);
        ExpertPositionScan.Last(ids, 2, [0b11111], 10, last);
        Assert.That(missing[0], Is.EqualTo(0b10000UL));
        Assert.That(first, Is.EqualTo(new[] { 10, 10, 11, 11, -9 }));
        Assert.That(last, Is.EqualTo(new[] { 13, 12, 12, 13, -9 }));
    }

    [TestCase(8, 2, 1)]
    [TestCase(8, 2, 15)]
    [TestCase(8, 2, 16)]
    [TestCase(8, 2, 1000)]
    [TestCase(64, 8, 37)]
    [TestCase(33, 3, 250)]
    [TestCase(5, 1, 97)]
    [TestCase(128, 8, 300)] // Qwen3: two words
    [TestCase(256, 8, 700)] // DeepSeek-V3: four words, ids up to 255
    [TestCase(160, 6, 41)]  // a partial last word
    public void RandomLayers_MatchAPlainScan(int experts, int k, int tokens)
    {
        var random = new SeededRandom((ulong)(experts * 31 + k * 7 + tokens));
        for (var trial = 0; trial < 20; trial++)
        {
            // Skewed: a few experts common, some rare or absent, so scans run long and stop early.
            var ids = new byte[tokens * k];
            for (var t = 0; t < tokens; t++)
            {
                var start = random.NextInt(2) == 0 ? random.NextInt(Math.Min(3, experts)) : random.NextInt(experts);
                for (var j = 0; j < k; j++) ids[t * k + j] = (byte)((start + j) % experts);
            }
            var wanted = new ulong[ExpertPositionScan.Words(experts)];
            for (var e = 0; e < experts; e++) if (random.NextInt(4) > 0) wanted[e >> 6] |= 1UL << e;
            var first = Enumerable.Repeat(-1, experts).ToArray();
            var last = Enumerable.Repeat(-1, experts).ToArray();
            var missing = (ulong[])wanted.Clone();
            ExpertPositionScan.First(ids, k, missing, 5, first);
            ExpertPositionScan.Last(ids, k, (ulong[])wanted.Clone(), 5, last);
            for (var e = 0; e < experts; e++)
            {
                var at = Array.IndexOf(ids, (byte)e);
                var lastAt = Array.LastIndexOf(ids, (byte)e);
                var isWanted = (wanted[e >> 6] >> e & 1) == 1;
                Assert.That(first[e], Is.EqualTo(isWanted && at >= 0 ? 5 + at / k : -1), $"first of {e}");
                Assert.That(last[e], Is.EqualTo(isWanted && lastAt >= 0 ? 5 + lastAt / k : -1), $"last of {e}");
                Assert.That((missing[e >> 6] >> e & 1) == 1, Is.EqualTo(isWanted && at < 0), $"missing {e}");
            }
        }
    }
}
