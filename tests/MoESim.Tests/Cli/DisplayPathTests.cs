using MoESim.Cli;

namespace MoESim.Tests.Cli;

/// <summary>Printed paths: relative inside the working folder, absolute outside it.</summary>
[TestFixture]
public class DisplayPathTests
{
    private static string Here => Environment.CurrentDirectory;

    [Test]
    public void AbsolutePathInsideTheWorkingFolder_IsPrintedRelative() =>
        Assert.That(DisplayPath.Of(Path.Combine(Here, "out", "simulate", "throughput.png")),
            Is.EqualTo(Path.Combine("out", "simulate", "throughput.png")));

    [Test]
    public void RelativePath_StaysAsGiven() =>
        Assert.That(DisplayPath.Of(Path.Combine("out", "report.json")), Is.EqualTo(Path.Combine("out", "report.json")));

    [Test]
    public void PathOutsideTheWorkingFolder_IsPrintedAbsolute()
    {
        var outside = Path.Combine(Path.GetDirectoryName(Here)!, "elsewhere", "a.csv");
        Assert.That(DisplayPath.Of(outside), Is.EqualTo(outside));
    }

    [Test]
    public void FolderWhoseNameStartsWithTwoDots_IsInside() =>
        Assert.That(DisplayPath.Of(Path.Combine(Here, "..data", "a.csv")), Is.EqualTo(Path.Combine("..data", "a.csv")));

    [Test]
    public void Join_PrintsEveryPathTheSameWay() =>
        Assert.That(DisplayPath.Join([Path.Combine(Here, "a.png"), "b.csv"]), Is.EqualTo("a.png, b.csv"));
}
