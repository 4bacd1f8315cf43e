using MoESim.Randomness;
using MoESim.Traces.Synthetic;

namespace MoESim.Tests.Traces.Synthetic;

[TestFixture]
public class BernoulliMaskTests
{
    // Widths: one chunk, a partial chunk, chunks plus a tail, more than one 64-bit word.
    [TestCase(0.2, 8)]
    [TestCase(0.5, 3)]
    [TestCase(0.9, 13)]
    [TestCase(0.3, 70)]
    [TestCase(0.0, 8)]
    [TestCase(1.0, 6)]
    public void FlagsAreIndependentWithTheirProbability(double p, int width)
    {
        var mask = new BernoulliMask(p, width);
        var words = new ulong[mask.Words];
        Assert.That(words.Length, Is.EqualTo((width + 63) / 64));
        var stream = new SeededRandom(4).NextUInt64();
        const int draws = 100_000;
        var ones = new int[width];
        var pairs = 0; // flags 0 and width − 1 together
        for (var i = 0; i < draws; i++)
        {
            stream = mask.Draw(stream, words);
            for (var j = 0; j < width; j++) if ((words[j >> 6] >> (j & 63) & 1) != 0) ones[j]++;
            if ((words[0] & 1) != 0 && (words[(width - 1) >> 6] >> ((width - 1) & 63) & 1) != 0) pairs++;
            // Bits past the width stay clear.
            if (width % 64 != 0) Assert.That(words[^1] >> (width % 64), Is.Zero);
        }
        // Standard error ≤ √(1/4 / 100,000) ≈ 0.0016: 5 of them.
        for (var j = 0; j < width; j++) Assert.That(ones[j] / (double)draws, Is.EqualTo(p).Within(0.008), $"flag {j}");
        if (width > 1) Assert.That(pairs / (double)draws, Is.EqualTo(p * p).Within(0.008), "flags 0 and last together");
    }
}
