using MoESim.Traces.Replay;

namespace MoESim.Tests.Traces.Replay;

[TestFixture]
public class BackgroundWorkTests
{
    [Test]
    public void EveryWorkRunsExactlyOnce_WhoeverRunsIt()
    {
        var runs = new int[200];
        var works = Enumerable.Range(0, runs.Length).Select(i => BackgroundWork.Start(() => Interlocked.Increment(ref runs[i]))).ToList();
        foreach (var work in works) work.Finish();
        Assert.That(runs, Is.All.EqualTo(1));
        foreach (var work in works) work.Finish(); // finishing again does not run it again
        Assert.That(runs, Is.All.EqualTo(1));
    }

    [Test]
    public void Finish_RethrowsTheWorksException()
    {
        var work = BackgroundWork.Start(() => throw new InvalidDataException("bad"));
        Assert.That(() => work.Finish(), Throws.TypeOf<InvalidDataException>().With.Message.EqualTo("bad"));
    }
}
