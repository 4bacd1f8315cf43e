using MoESim.Parallelism;

namespace MoESim.Tests.ExpertParallel;

[TestFixture]
public sealed class ReplicaSelectorTests
{
    private static ExpertPlacement OneExpert(params ExpertReplica[] replicas) =>
        new(3, new[] { new IReadOnlyList<ExpertReplica>[] { replicas } }, "test");

    [Test]
    public void Local_replica_wins()
    {
        var s = new ReplicaSelector(OneExpert(new(0, 0.9), new(1, 0.1)));
        for (int i = 0; i < 5; i++) Assert.That(s.Choose(0, 0, homeDevice: 1), Is.EqualTo(1));
    }

    [TestCase(0.75, 0.25, 8, 6)]
    [TestCase(0.5, 0.5, 10, 5)]
    [TestCase(0.2, 0.8, 10, 2)]
    public void Remote_tokens_follow_the_weights_exactly_over_a_full_cycle(double w0, double w1, int calls, int expectedOnDevice0)
    {
        // Smooth weighted round-robin: over `calls` picks device 0 gets w0·calls of them.
        var s = new ReplicaSelector(OneExpert(new(0, w0), new(1, w1)));
        int onDevice0 = 0;
        for (int i = 0; i < calls; i++) if (s.Choose(0, 0, homeDevice: 2) == 0) onDevice0++;
        Assert.That(onDevice0, Is.EqualTo(expectedOnDevice0));
    }

    [Test]
    public void Choices_are_deterministic_and_interleaved()
    {
        var s = new ReplicaSelector(OneExpert(new(0, 0.75), new(1, 0.25)));
        var picks = Enumerable.Range(0, 8).Select(_ => s.Choose(0, 0, 2)).ToArray();
        Assert.That(picks, Is.EqualTo(new[] { 0, 0, 1, 0, 0, 0, 1, 0 }));
    }
}
