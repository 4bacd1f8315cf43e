using MoESim.Engine;
using MoESim.Units;

namespace MoESim.Tests.Engine;

[TestFixture]
public class EventQueueTests
{
    private static readonly RecordingTarget Target = new("t");

    [Test]
    public void Pops_in_time_order()
    {
        var q = new EventQueue(2);
        long[] times = [50, 10, 40, 30, 20, 0, 60];
        foreach (var t in times)
            q.Push(new SimTime(t), Target, 0, t, 0);
        var popped = new List<long>();
        while (q.Count > 0)
            popped.Add(q.Pop().TimePicoseconds);
        Assert.That(popped, Is.EqualTo(times.Order().ToList()));
    }

    [Test]
    public void Equal_times_pop_in_insertion_order()
    {
        var q = new EventQueue(1);
        // Interleave two times so the heap has to reorder; ties must still come out FIFO.
        for (int i = 0; i < 100; i++)
            q.Push(new SimTime(i % 2 == 0 ? 5 : 3), Target, 0, i, 0);
        var order = new List<long>();
        while (q.Count > 0)
            order.Add(q.Pop().Arg0);
        var expected = Enumerable.Range(0, 100).Where(i => i % 2 == 1)
            .Concat(Enumerable.Range(0, 100).Where(i => i % 2 == 0)).Select(i => (long)i).ToList();
        Assert.That(order, Is.EqualTo(expected));
    }

    [Test]
    public void Random_pushes_match_a_stable_sort()
    {
        var rng = new Random(7);
        var q = new EventQueue(4);
        var pushed = new List<(long Time, long Id)>();
        for (int i = 0; i < 5000; i++)
        {
            long t = rng.Next(0, 200);
            pushed.Add((t, i));
            q.Push(new SimTime(t), Target, 0, i, 0);
        }
        var popped = new List<(long, long)>();
        while (q.Count > 0)
        {
            var e = q.Pop();
            popped.Add((e.TimePicoseconds, e.Arg0));
        }
        Assert.That(popped, Is.EqualTo(pushed.OrderBy(p => p.Time).ThenBy(p => p.Id).ToList()));
    }

    [Test]
    public void Capacity_grows_by_doubling()
    {
        var q = new EventQueue(4);
        for (int i = 0; i < 5; i++)
            q.Push(SimTime.Zero, Target, 0, 0, 0);
        Assert.That(q.Capacity, Is.EqualTo(8));
    }

    [Test]
    public void TryPopDue_respects_the_limit_and_Clear_empties()
    {
        var q = new EventQueue(2);
        q.Push(new SimTime(10), Target, 0, 1, 0);
        q.Push(new SimTime(20), Target, 0, 2, 0);
        q.Push(new SimTime(30), Target, 0, 3, 0);
        Assert.That(q.TryPopDue(15, out var e), Is.True);
        Assert.That(e.Arg0, Is.EqualTo(1));
        Assert.That(q.TryPopDue(15, out _), Is.False);
        Assert.That(q.PeekTimePicoseconds, Is.EqualTo(20));
        q.Clear();
        Assert.That(q.Count, Is.EqualTo(0));
        // Slots freed by Clear are reused without growing.
        for (int i = 0; i < 4; i++)
            q.Push(new SimTime(i), Target, 0, i, 0);
        Assert.That(q.Capacity, Is.EqualTo(4));
        Assert.That(q.Pop().Sequence, Is.EqualTo(3), "sequence numbering continues after Clear");
    }

    [Test]
    public void Pop_on_empty_throws()
    {
        Assert.Throws<InvalidOperationException>(() => new EventQueue().Pop());
    }
}
