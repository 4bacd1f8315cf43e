using MoESim.Models;

namespace MoESim.Tests.Models;

[TestFixture]
public sealed class MoeLayerPatternTests
{
    // Layers as a string: 'M' = MoE, 'd' = dense.
    [TestCase("MMMM", 0, 1)]
    [TestCase("dddMMMMM", 3, 1)]
    [TestCase("dMdMdM", 1, 2)]
    [TestCase("ddddMddM", 4, 3)]
    [TestCase("dddM", 3, 1)]
    [TestCase("Mddd", 0, 4)]
    public void Fit_FindsFirstAndInterval(string layers, int first, int interval)
    {
        Assert.That(MoeLayerPattern.Fit(layers.Select(c => c == 'M').ToArray()), Is.EqualTo((first, interval)));
    }

    [TestCase("MMdM")]
    [TestCase("MdMM")]
    [TestCase("dddd")]
    public void Fit_RejectsIrregularOrEmptyPatterns(string layers)
    {
        Assert.That(MoeLayerPattern.Fit(layers.Select(c => c == 'M').ToArray()), Is.Null);
    }

    [TestCase("MMMdMdd", "0-2, 4")]
    [TestCase("dddd", "none")]
    public void Describe_ListsRanges(string layers, string expected)
    {
        Assert.That(MoeLayerPattern.Describe(layers.Select(c => c == 'M').ToArray()), Is.EqualTo(expected));
    }
}
