using MoESim.Config;
using MoESim.Traces;

namespace MoESim.Placement.Tests;

[TestFixture]
public class TraceWindowsTests
{
    /// <summary>Requests 0 and 1 written one after the other, 3 iterations each; iteration i has i + 1 tokens, all on expert 0.</summary>
    /// <param name="iterationStride">Iteration i is numbered i × this (a global step counter numbers them sparsely).</param>
    private static List<RoutingStep> TwoRequestsOneAfterTheOther(int iterationStride = 1)
    {
        var steps = new List<RoutingStep>();
        for (var r = 0; r < 2; r++)
        {
            var first = 0;
            for (var i = 0; i < 3; i++)
            {
                var step = new RoutingStep();
                step.Reset(r, i * iterationStride, first, i + 1, i == 0, 1, 1, false);
                step.ExpertIds.Clear();
                steps.Add(step);
                first += i + 1;
            }
        }
        return steps;
    }

    private static readonly TraceShape Shape = PlacementFixtures.Shape(1, 2, 1);

    [Test]
    public void FileOrder_WindowsAreConsecutiveStepsAsListed()
    {
        var windows = TraceWindows.Plan(TwoRequestsOneAfterTheOther(), Shape, 1, 0, 3, WindowOrder.File);
        var stats = windows.Statistics().ToList();
        Assert.That(windows.Order, Is.EqualTo(WindowOrder.File));
        Assert.That(stats.Select(s => s.Steps), Is.EqualTo(new long[] { 2, 2, 2 }));
        // r0 i0+i1 = 1+2, r0 i2 + r1 i0 = 3+1, r1 i1+i2 = 2+3.
        Assert.That(stats.Select(s => s.Tokens), Is.EqualTo(new long[] { 3, 4, 5 }));
    }

    [Test]
    public void IterationOrder_WindowHoldsEveryRequestsSameIterations()
    {
        var windows = TraceWindows.Plan(TwoRequestsOneAfterTheOther(), Shape, 1, 0, 3, WindowOrder.Iteration);
        var stats = windows.Statistics().ToList();
        Assert.That(stats.Select(s => s.Steps), Is.EqualTo(new long[] { 2, 2, 2 }));
        Assert.That(stats.Select(s => s.Tokens), Is.EqualTo(new long[] { 2, 4, 6 }), "both requests' iteration w: 2 (w + 1) tokens");
    }

    [Test]
    public void IterationOrder_LargeSparseIterations_SameWindowsAsConsecutiveOnes()
    {
        // Iterations 0, 1e9, 2e9: one slot per iteration value up to the largest would need 2e9 slots.
        var sparse = TraceWindows.Plan(TwoRequestsOneAfterTheOther(1_000_000_000), Shape, 1, 0, 3, WindowOrder.Iteration);
        var dense = TraceWindows.Plan(TwoRequestsOneAfterTheOther(), Shape, 1, 0, 3, WindowOrder.Iteration);
        var sparseStats = sparse.Statistics().ToList();
        var denseStats = dense.Statistics().ToList();
        Assert.That(sparseStats.Select(s => s.Steps), Is.EqualTo(new long[] { 2, 2, 2 }));
        Assert.That(sparseStats.Select(s => s.Tokens), Is.EqualTo(new long[] { 2, 4, 6 }), "both requests' iteration w: 2 (w + 1) tokens");
        Assert.That(sparseStats.Select(s => s.Tokens), Is.EqualTo(denseStats.Select(s => s.Tokens)));
        Assert.That(sparseStats.Select(s => s.Loads[0]), Is.EqualTo(denseStats.Select(s => s.Loads[0])));
    }

    [TestCase(WindowOrder.File)]
    [TestCase(WindowOrder.Iteration)]
    public void HeldOut_OnlyTheLastRequestsAreCut_WindowsDifferByAtMostOneStep(WindowOrder order)
    {
        // Holdout 0.5 of 2 requests: request 1's 3 steps in 2 windows of 1 and 2 steps.
        var windows = TraceWindows.Plan(TwoRequestsOneAfterTheOther(), Shape, 1, 0.5, 2, order);
        Assert.That(windows.ScoredSteps, Is.EqualTo(3));
        Assert.That(new[] { windows.StepsIn(0), windows.StepsIn(1) }, Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(windows.Statistics().Select(s => s.Tokens), Is.EqualTo(new long[] { 1, 5 }));
    }

    [TestCase(1)]
    [TestCase(0)]
    [TestCase(-3)]
    public void FewerThanTwoWindows_IsAnInputError(int n)
    {
        var e = Assert.Throws<InputException>(() => TraceWindows.Plan(TwoRequestsOneAfterTheOther(), Shape, 1, 0, n));
        Assert.That(e!.Errors[0].Field, Is.EqualTo("--windows"));
        Assert.That(e.Message, Does.Contain("at least 2"));
    }

    [Test]
    public void MoreWindowsThanScoredSteps_IsAnInputError()
    {
        var e = Assert.Throws<InputException>(() => TraceWindows.Plan(TwoRequestsOneAfterTheOther(), Shape, 1, 0.5, 4));
        Assert.That(e!.Errors[0].Field, Is.EqualTo("--windows"));
        Assert.That(e.Message, Does.Contain("4 windows need at least 4 steps").And.Contain("has 3"));
    }
}
