using MoESim.Randomness;
using MoESim.Traces.Synthetic;

namespace MoESim.Tests.Traces.Synthetic;

/// <summary>
/// The precomputed set table gives, for every random word, the same k experts as the direct
/// systematic scan it replaces, and those experts have the promised inclusion probabilities.
/// </summary>
[TestFixture]
public class SystematicSetTableTests
{
    // Shapes: DeepSeek-V3-like, π capped at 1 (strong skew), k = n, top-1, zero weights, odd n.
    private static readonly object[] Shapes =
    [
        new object[] { 256, 8, 1.0, false },
        new object[] { 64, 6, 2.5, false },
        new object[] { 4, 4, 0.0, false },
        new object[] { 16, 1, 1.2, false },
        new object[] { 37, 5, 0.7, true },
        new object[] { 128, 2, 0.0, false },
    ];

    private static double[][] Inclusion(int layers, int experts, int topK, double zipf, bool zeros)
    {
        var random = new SeededRandom(17);
        var inclusion = new double[layers][];
        for (var l = 0; l < layers; l++)
        {
            var weights = new double[experts];
            for (var e = 0; e < experts; e++)
                weights[e] = zeros && e % 3 == 0 ? 0 : 1.0 / Math.Pow(1 + random.NextInt(experts), zipf);
            inclusion[l] = MoESim.Traces.SyntheticRouter.InclusionProbabilities(weights, topK);
        }
        return inclusion;
    }

    [TestCaseSource(nameof(Shapes))]
    public void TableAndScanAgreeOnEveryDraw(int experts, int topK, double zipf, bool zeros)
    {
        const int layers = 3;
        var inclusion = Inclusion(layers, experts, topK, zipf, zeros);
        var table = new SystematicSetTable(experts, topK, inclusion, new SeededRandom(5));
        var scan = new SystematicScan(experts, topK, inclusion, new SeededRandom(5));
        var random = new SeededRandom(99);
        var fromTable = new int[topK];
        var fromScan = new int[topK];
        // Random words plus the extremes of the start (x = 0 and x = 2^31 − 1) in every order.
        var words = new List<ulong>();
        for (var i = 0; i < 20_000; i++) words.Add(random.NextUInt64());
        for (ulong o = 0; o < SystematicScan.Orders; o++)
        {
            words.Add(o << 60);
            words.Add((o << 60) | (((1UL << SystematicScan.StartBits) - 1) << (60 - SystematicScan.StartBits)));
        }
        foreach (var word in words)
            for (var l = 0; l < layers; l++)
            {
                table.Draw(l, word, fromTable);
                scan.Draw(l, word, fromScan);
                Assert.That(fromTable, Is.EqualTo(fromScan), $"layer {l}, word {word:X16}");
                Assert.That(fromTable, Is.Unique);
            }
    }

    [TestCaseSource(nameof(Shapes))]
    public void EachExpertIsIncludedWithItsProbability(int experts, int topK, double zipf, bool zeros)
    {
        var inclusion = Inclusion(1, experts, topK, zipf, zeros);
        var table = new SystematicSetTable(experts, topK, inclusion, new SeededRandom(5));
        var random = new SeededRandom(3);
        const int draws = 200_000;
        var counts = new int[experts];
        var set = new int[topK];
        for (var i = 0; i < draws; i++)
        {
            table.Draw(0, random.NextUInt64(), set);
            foreach (var e in set) counts[e]++;
        }
        for (var e = 0; e < experts; e++)
        {
            // Binomial standard error ≤ √(1/4 / 200,000) ≈ 0.0011: 5 of them.
            var pi = inclusion[0][e];
            Assert.That(counts[e] / (double)draws, Is.EqualTo(pi).Within(0.0056), $"expert {e}, π = {pi}");
            if (pi == 0) Assert.That(counts[e], Is.Zero, $"expert {e} has π = 0");
            if (pi == 1) Assert.That(counts[e], Is.EqualTo(draws), $"expert {e} has π = 1");
        }
    }

    [Test]
    public void HugeShapesFallBackToTheScan()
    {
        Assert.That(SystematicSetTable.Fits(58, 256, 8), Is.True);
        Assert.That(SystematicSetTable.Fits(64, 65_535, 64), Is.False);
        Assert.That(SystematicSetTable.Fits(1, 70_000, 1), Is.False, "ids above 16 bits");
    }
}
