using MoESim.Planning;
using MoESim.Traces;

namespace MoESim.Tests.Planning;

[TestFixture]
public class ReplicaSplitTests
{
    private static Request[] Stream(int count) => Enumerable.Range(0, count).Select(i => new Request(i, 0.5 * i, 10 + i, 2)).ToArray();

    [Test]
    public void RoundRobin_GivesTheIthRequestToReplicaIModN()
    {
        var shares = ReplicaSplit.RoundRobin(Stream(7), 3);
        Assert.That(shares.Select(s => s.Select(r => r.Id)), Is.EqualTo(new[] { new[] { 0, 3, 6 }, new[] { 1, 4 }, new[] { 2, 5 } }));
        Assert.That(shares[1][1], Is.EqualTo(new Request(4, 2.0, 14, 2)), "requests are passed on unchanged");
    }

    [Test]
    public void RoundRobin_MoreReplicasThanRequests_LeavesSomeIdle()
    {
        var shares = ReplicaSplit.RoundRobin(Stream(2), 4);
        Assert.That(shares.Select(s => s.Count), Is.EqualTo(new[] { 1, 1, 0, 0 }));
    }

    [Test]
    public void RoundRobin_RequestsOutOfArrivalOrder_AreRefused()
    {
        Request[] requests = [new(0, 1.0, 5, 2), new(1, 0.5, 5, 2)];
        Assert.That(() => ReplicaSplit.RoundRobin(requests, 2), Throws.ArgumentException.With.Message.Contains("request 1 arrives at 0.5 s"));
        Assert.That(() => ReplicaSplit.RoundRobin(Stream(3), 0), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void ScaleArrivalRate_DividesArrivalTimesOnly()
    {
        var scaled = ReplicaSplit.ScaleArrivalRate(Stream(3), 4);
        Assert.That(scaled, Is.EqualTo(new[] { new Request(0, 0, 10, 2), new Request(1, 0.125, 11, 2), new Request(2, 0.25, 12, 2) }));
        Assert.That(() => ReplicaSplit.ScaleArrivalRate(Stream(3), 0), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => ReplicaSplit.ScaleArrivalRate(Stream(3), double.NaN), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
