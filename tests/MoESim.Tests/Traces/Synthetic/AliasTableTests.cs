using MoESim.Randomness;
using MoESim.Traces.Synthetic;

namespace MoESim.Tests.Traces.Synthetic;

[TestFixture]
public class AliasTableTests
{
    [TestCase(new[] { 1.0 })]
    [TestCase(new[] { 1.0, 1.0, 1.0, 1.0 })]
    [TestCase(new[] { 8.0, 4.0, 2.0, 1.0, 1.0, 0.0, 0.5 })]
    [TestCase(new[] { 1e-6, 1.0, 1e-6, 3.0 })]
    public void DrawsFollowTheWeights(double[] weights)
    {
        var table = new AliasTable(weights);
        var random = new SeededRandom(8);
        const int draws = 400_000;
        var counts = new int[weights.Length];
        for (var i = 0; i < draws; i++) counts[table.Draw(random.NextUInt64())]++;
        var total = weights.Sum();
        for (var i = 0; i < weights.Length; i++)
        {
            // Standard error ≤ √(1/4 / 400,000) ≈ 0.0008: 5 of them.
            Assert.That(counts[i] / (double)draws, Is.EqualTo(weights[i] / total).Within(0.004), $"outcome {i}");
            if (weights[i] == 0) Assert.That(counts[i], Is.Zero, $"outcome {i} has weight 0");
        }
    }

    [Test]
    public void ProbabilitiesAreExactToTheThresholdResolution()
    {
        // Every column is hit by 1/n of the high words; sweeping the low word over its range
        // column by column gives each outcome's probability exactly (up to 2^-32 per column).
        double[] weights = [5, 3, 1, 1, 0, 2];
        var table = new AliasTable(weights);
        var n = weights.Length;
        var mass = new double[n];
        const int steps = 4096;
        for (var column = 0; column < n; column++)
        {
            // The smallest high word landing in this column under the multiply-shift.
            var high = (ulong)Math.Ceiling(column * 4294967296.0 / n);
            for (var s = 0; s < steps; s++)
            {
                var low = (ulong)((s + 0.5) / steps * 4294967296.0);
                mass[table.Draw((high << 32) | low)] += 1.0 / n / steps;
            }
        }
        for (var i = 0; i < n; i++) Assert.That(mass[i], Is.EqualTo(weights[i] / 12).Within(1.0 / n / steps), $"outcome {i}");
    }

    [TestCase(new double[0])]
    [TestCase(new[] { 0.0, 0.0 })]
    [TestCase(new[] { 1.0, -1.0 })]
    [TestCase(new[] { 1.0, double.NaN })]
    public void BadWeightsAreRejected(double[] weights) =>
        Assert.Throws<ArgumentException>(() => _ = new AliasTable(weights));
}
