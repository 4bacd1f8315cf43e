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
    [TestCase(65, 16)]  // above one word: whole 64-bit words
    [TestCase(128, 16)]
    [TestCase(129, 24)]
    [TestCase(256, 32)]
    public void MaskBytes_AreTheSmallestWordThatHoldsTheExperts(int experts, int bytes) =>
        Assert.That(ExpertMaskKernels.MaskBytes(experts), Is.EqualTo(bytes));

    [TestCase(0)]
    [TestCase(257)] // ids would not fit a byte
    public void MaskBytes_OutsideOneByteIds_Throws(int experts) =>
        Assert.That(() => ExpertMaskKernels.MaskBytes(experts), Throws.TypeOf<ArgumentOutOfRangeException>());

    [Test]
    public void WideMasks_HandChecked_AndCounted()
    {
        // DeepSeek-V3 shape at two layers, top-8 of 256: layer 0 picks 0..7, layer 1 picks 248..255 and 64, 127, 128, 200 overlap nothing.
        byte[] ids = [0, 1, 2, 3, 4, 5, 6, 7, 255, 254, 253, 64, 127, 128, 200, 63];
        var masks = new byte[2 * 32];
        Assert.That(ExpertMaskKernels.TryTokenMasks(ids, 256, 2, 1, 8, 32, masks), Is.True);
        Assert.That(masks[0], Is.EqualTo(0xFF));                      // experts 0..7
        Assert.That(masks.AsSpan(1, 31).ToArray(), Is.All.EqualTo(0));
        Assert.That(masks[32 + 31], Is.EqualTo(0b1110_0000));          // 253, 254, 255
        Assert.That(masks[32 + 8], Is.EqualTo(1));                     // 64
        Assert.That(masks[32 + 15], Is.EqualTo(0b1000_0000));          // 127
        Assert.That(masks[32 + 16], Is.EqualTo(1));                    // 128
        Assert.That(masks[32 + 25], Is.EqualTo(1));                    // 200 = 8 × 25
        Assert.That(masks[32 + 7], Is.EqualTo(0b1000_0000));           // 63
        var distinct = new int[2];
        ExpertMaskKernels.PopCounts(masks, 32, distinct);
        Assert.That(distinct, Is.EqualTo(new[] { 8, 8 }));
        // The OR of the two layers' masks as one batch mask: 16 distinct experts.
        ExpertMaskKernels.OrInto(masks.AsSpan(0, 32), masks.AsSpan(32, 32));
        ExpertMaskKernels.PopCounts(masks.AsSpan(0, 32), 32, distinct.AsSpan(0, 1));
        Assert.That(distinct[0], Is.EqualTo(16));
    }

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
    [TestCase(128, 8, 48, 1)] // Qwen3 decode token: two-word masks
    [TestCase(256, 8, 5, 3)]  // DeepSeek-V3: four words
    [TestCase(100, 4, 3, 2)]  // a partly used last word
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
                    var expected = new byte[bytes];
                    for (var j = 0; j < k; j++)
                    {
                        var id = ids[(l * tokens + t) * k + j];
                        expected[id / 8] |= (byte)(1 << (id % 8));
                    }
                    Assert.That(masks.AsSpan((t * layers + l) * bytes, bytes).ToArray(), Is.EqualTo(expected), $"token {t} layer {l}");
                }
            var bad = (byte[])ids.Clone();
            var at = random.NextInt(bad.Length);
            // An id past the last expert, including ids a 16-entry table lookup would alias (e.g. 16 → 0).
            bad[at] = (byte)(trial % 3 == 0 ? experts : trial % 3 == 1 ? 16 + random.NextInt(200) : bad[at - at % k + (at % k + 1) % k]);
            if (k == 1 && trial % 3 == 2) continue;
            if (experts == 256 && trial % 3 != 2) continue; // every byte is a valid id
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
