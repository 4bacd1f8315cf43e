using MoESim.Randomness;
using MoESim.Traces.Replay;

namespace MoESim.Tests.Traces.Replay;

/// <summary>Token masks (vectorised Mixtral case and the general path) against masks built bit by bit.</summary>
[TestFixture]
public class ExpertMaskKernelsTests
{
    [TestCase(8, 1)]
    [TestCase(9, 2)]
    [TestCase(16, 2)]
    [TestCase(17, 4)]
    [TestCase(32, 4)]
    [TestCase(33, 8)]
    [TestCase(64, 8)]
    public void MaskBytes_AreTheSmallestWordThatHoldsTheExperts(int experts, int bytes) =>
        Assert.That(ExpertMaskKernels.MaskBytes(experts), Is.EqualTo(bytes));

    [Test]
    public void MixtralDecodeToken_HandChecked()
    {
        // 32 layers, top-2 of 8: layer l picks experts l mod 8 and (l + 3) mod 8.
        var ids = new byte[64];
        for (var l = 0; l < 32; l++) (ids[2 * l], ids[2 * l + 1]) = ((byte)(l % 8), (byte)((l + 3) % 8));
        var masks = new byte[32];
        Assert.That(ExpertMaskKernels.TryTokenMasks(ids, 8, 32, 1, 2, 1, masks), Is.True);
        Assert.That(masks[0], Is.EqualTo(0b0000_1001));  // experts 0 and 3
        Assert.That(masks[5], Is.EqualTo(0b0010_0001));  // experts 5 and 0
        Assert.That(masks[31], Is.EqualTo(0b1000_0100)); // experts 7 and 34 mod 8 = 2
    }

    [TestCase(8, 2, 32, 1)]  // the vectorised case
    [TestCase(8, 2, 64, 1)]
    [TestCase(6, 2, 32, 1)]  // fewer than 8 experts: ids 6 and 7 must be rejected
    [TestCase(8, 2, 3, 4)]   // several tokens: the general path
    [TestCase(16, 2, 5, 1)]
    [TestCase(33, 3, 4, 2)]
    [TestCase(64, 8, 2, 3)]
    public void RandomSteps_MatchBitByBit_AndBadIdsAreRejected(int experts, int k, int layers, int tokens)
    {
        var random = new SeededRandom((ulong)(experts * 1000 + k * 100 + layers * 10 + tokens));
        var bytes = ExpertMaskKernels.MaskBytes(experts);
        for (var trial = 0; trial < 50; trial++)
        {
            var ids = new byte[layers * tokens * k];
            for (var g = 0; g < layers * tokens; g++)
            {
                var start = random.NextInt(experts);
                var stride = 1 + random.NextInt(experts - 1);
                for (var j = 0; j < k; j++) ids[g * k + j] = (byte)((start + j * stride) % experts);
                if (!Distinct(ids.AsSpan(g * k, k))) for (var j = 0; j < k; j++) ids[g * k + j] = (byte)((start + j) % experts);
            }
            var masks = new byte[tokens * layers * bytes];
            Assert.That(ExpertMaskKernels.TryTokenMasks(ids, experts, layers, tokens, k, bytes, masks), Is.True);
            for (var t = 0; t < tokens; t++)
                for (var l = 0; l < layers; l++)
                {
                    ulong expected = 0;
                    for (var j = 0; j < k; j++) expected |= 1UL << ids[(l * tokens + t) * k + j];
                    ulong actual = 0;
                    for (var b = 0; b < bytes; b++) actual |= (ulong)masks[(t * layers + l) * bytes + b] << (8 * b);
                    Assert.That(actual, Is.EqualTo(expected), $"token {t} layer {l}");
                }
            var bad = (byte[])ids.Clone();
            var at = random.NextInt(bad.Length);
            // An id past the last expert, including ids a 16-entry table lookup would alias (e.g. 16 → 0).
            bad[at] = (byte)(trial % 3 == 0 ? experts : trial % 3 == 1 ? 16 + random.NextInt(200) : bad[at - at % k + (at % k + 1) % k]);
            if (k == 1 && trial % 3 == 2) continue;
            if (bad[at] < experts && trial % 3 == 1) continue;
            Assert.That(ExpertMaskKernels.TryTokenMasks(bad, experts, layers, tokens, k, bytes, masks), Is.False, $"bad id {bad[at]} at {at}");
        }
    }

    private static bool Distinct(ReadOnlySpan<byte> group)
    {
        for (var a = 0; a < group.Length; a++)
            for (var b = a + 1; b < group.Length; b++) if (group[a] == group[b]) return false;
        return true;
    }

    [Test]
    public void OrAndPopCount_CountDistinctExpertsPerLayer()
    {
        // Two layers of 16 experts (2-byte masks): {0, 9} ∪ {9, 15} = 3 at layer 0; {1} ∪ {} = 1 at layer 1.
        var acc = new byte[4];
        ExpertMaskKernels.OrInto(acc, [0b0000_0001, 0b0000_0010, 0b0000_0010, 0]);
        ExpertMaskKernels.OrInto(acc, [0, 0b1000_0010, 0, 0]);
        var distinct = new int[2];
        ExpertMaskKernels.PopCounts(acc, 2, distinct);
        Assert.That(distinct, Is.EqualTo(new[] { 3, 1 }));
    }
}
