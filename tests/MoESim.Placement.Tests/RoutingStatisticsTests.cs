using MoESim.Config;
using MoESim.Traces;
using static MoESim.Placement.Tests.PlacementFixtures;

namespace MoESim.Placement.Tests;

[TestFixture]
public class RoutingStatisticsTests
{
    [Test]
    public void CountsLoadsByOriginAndCoActivation()
    {
        // Request 3 on 2 devices -> origin 1. Token 0: {0,1} then {2,3}; token 1: {0,2} then {2,1}.
        var stats = Stats(Shape(2, 4, 2), 2, Step(3, new[]
        {
            new[] { new[] { 0, 1 }, new[] { 0, 2 } },
            new[] { new[] { 2, 3 }, new[] { 2, 1 } },
        }));
        Assert.That(stats.Loads[0], Is.EqualTo(new double[] { 2, 1, 1, 0 }));
        Assert.That(stats.OriginLoads[0][1 * 4 + 0], Is.EqualTo(2));
        Assert.That(stats.OriginLoads[0][0 * 4 + 0], Is.EqualTo(0));
        var t = stats.Transitions[0];
        Assert.That(t[0 * 4 + 2], Is.EqualTo(2)); // both tokens: 0 -> 2
        Assert.That(t[0 * 4 + 3], Is.EqualTo(1));
        Assert.That(t[2 * 4 + 1], Is.EqualTo(1));
        Assert.That(t.Sum(), Is.EqualTo(8)); // k^2 pairs per token
    }

    [Test]
    public void HeldOutSplit_ByRequestInOrderOfAppearance()
    {
        var steps = Enumerable.Range(0, 4).Select(r => Step(r, new[] { new[] { new[] { r } } })).ToList();
        var (fit, held) = HeldOutSplit.Split(steps, Shape(1, 4, 1), 1, 0.25);
        Assert.That(fit.Loads[0], Is.EqualTo(new double[] { 1, 1, 1, 0 }));
        Assert.That(held.Loads[0], Is.EqualTo(new double[] { 0, 0, 0, 1 }));
    }

    [TestCase(0.25, new[] { 3 })]
    [TestCase(0.5, new[] { 2, 3 })]
    [TestCase(0.0, new[] { 0, 1, 2, 3 })]
    public void WriteHeldOut_WritesTheHeldOutRequests(double holdout, int[] expected)
    {
        var steps = Enumerable.Range(0, 4).Select(r => Step(r, new[] { new[] { new[] { r } } })).ToList();
        var writer = new ListWriter();
        var written = HeldOutSplit.WriteHeldOut(() => new InMemoryTraceReader(steps, Shape(1, 4, 1), "t.jsonl"), holdout, writer);
        Assert.That(written, Is.EqualTo(expected.Length));
        Assert.That(writer.Requests, Is.EqualTo(expected));
        Assert.That(writer.Completed, Is.True);
    }

    [TestCase(0.9, "t.jsonl: --holdout: 0.9 of 4 requests leaves an empty fit or held-out part")]
    [TestCase(1.0, "1: --holdout: must be in [0, 1)")]
    [TestCase(-0.5, "-0.5: --holdout: must be in [0, 1)")]
    public void WriteHeldOut_HoldoutLeavingAnEmptyPartOrOutOfRange_IsAnInputError(double holdout, string expected)
    {
        var steps = Enumerable.Range(0, 4).Select(r => Step(r, new[] { new[] { new[] { r } } })).ToList();
        var writer = new ListWriter();
        var ex = Assert.Throws<InputException>(() => HeldOutSplit.WriteHeldOut(() => new InMemoryTraceReader(steps, Shape(1, 4, 1), "t.jsonl"), holdout, writer));
        Assert.That(ex!.Message, Is.EqualTo(expected));
        Assert.That(writer.Requests, Is.Empty);
    }

    /// <summary>Records the request ids written.</summary>
    private sealed class ListWriter : IRoutingTraceWriter
    {
        public List<int> Requests { get; } = [];
        public bool Completed { get; private set; }
        public void Write(RoutingStep step) => Requests.Add(step.RequestId);
        public void Complete() => Completed = true;
        public void Dispose() { }
    }

    [Test]
    public void TraceShapeNotMatchingTheModel_IsAnInputError()
    {
        var steps = new List<RoutingStep> { Step(0, new[] { new[] { new[] { 0 } } }) };
        var ex = Assert.Throws<InputException>(() => HeldOutSplit.Split(() => new InMemoryTraceReader(steps, Shape(1, 4, 1), "t.jsonl"), Shape(58, 256, 8), 8, 0));
        Assert.That(ex!.Message, Is.EqualTo("t.jsonl: shape: the trace was recorded for 1 MoE layers x 4 experts, top-1 but the model has 58 MoE layers x 256 experts, top-8"));
    }

    [Test]
    public void ExpertIdOutsideTheModel_IsAnInputError()
    {
        var ex = Assert.Throws<InputException>(() => Stats(Shape(1, 4, 1), 1, Step(0, new[] { new[] { new[] { 9 } } })));
        Assert.That(ex!.Message, Does.Contain("names expert 9; the model has experts 0..3"));
    }
}
