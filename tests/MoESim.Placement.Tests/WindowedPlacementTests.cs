using MoESim.Traces;

namespace MoESim.Placement.Tests;

[TestFixture]
public class WindowedPlacementTests
{
    /// <summary>One step of 20 tokens, top-1, the same on both layers: expert e chosen counts[e] times.</summary>
    private static RoutingStep Window(int request, params int[] counts)
    {
        var tokens = counts.SelectMany((c, e) => Enumerable.Repeat(e, c)).Select(e => new[] { e }).ToArray();
        return PlacementFixtures.Step(request, [tokens, tokens]);
    }

    [Test]
    public void HotExpertsMove_ReplacementBeatsStaticAfterTheShift_MigratesTheHandCountedCopies()
    {
        // 2 layers x 4 experts on 2 devices (2 slots each), 1 MB per expert, 1 GB/s; 10 tokens per device per step,
        // so a 20-token window is one step (scale 1). Windows 0 and 1 before the shift, 2 and 3 after it.
        var shape = PlacementFixtures.Shape(2, 4, 1);
        var problem = PlacementFixtures.Problem(2, tokensPerDevice: 10);
        var before = new[] { 10, 6, 3, 1 };
        var after = new[] { 6, 1, 3, 10 };
        var steps = new List<RoutingStep> { Window(0, before), Window(1, before), Window(2, after), Window(3, after) };
        var greedy = new GreedyReplicationStrategy();
        // Static from the traffic before the shift: greedy packs e0 -> d0 (10), e1 -> d1 (6), e2 -> d1 (9), e3 -> d0 (11).
        var staticPlacement = greedy.Place(PlacementFixtures.Stats(shape, 2, Window(9, before)), problem).Placement;
        var windows = TraceWindows.Plan(steps, shape, 2, 0, 4);
        var rows = WindowedPlacement.Run(greedy, staticPlacement, windows.Statistics(), problem, servingStepsPerWindow: 1000, windows.Count);

        Assert.That(rows, Has.Count.EqualTo(4));
        // Window 1 is placed from window 0, identical to the static placement's traffic: nothing moves.
        // Window 2 is placed from window 1 (still before the shift): nothing moves, and static and re-placed are equal.
        foreach (var w in new[] { 0, 1, 2 })
        {
            Assert.That(rows[w].Migration.Bytes, Is.Zero, $"window {w}");
            Assert.That(rows[w].Replaced.MaxDeviceLoadTokens, Is.EqualTo(rows[w].Static.MaxDeviceLoadTokens), $"window {w}");
        }
        // Window 2 (first after the shift): static holds e0 + e3 = 16 tokens on d0 against 4 on d1.
        Assert.That(rows[2].Static.MaxDeviceLoadTokens, Is.EqualTo(16).Within(1e-9).Percent);
        // Window 3 is placed from window 2: greedy puts e3 -> d0 (10), e0 -> d1 (6), e2 -> d1 (9), e1 -> d0 (11): max 11 < 16.
        Assert.That(rows[3].Static.MaxDeviceLoadTokens, Is.EqualTo(16).Within(1e-9).Percent);
        Assert.That(rows[3].Replaced.MaxDeviceLoadTokens, Is.EqualTo(11).Within(1e-9).Percent);
        Assert.That(rows[3].Replaced.MoeSecondsPerStep, Is.LessThan(rows[3].Static.MoeSecondsPerStep));
        // Moved: e1 to d0 and e0 to d1 on each of 2 layers = 4 copies x 1 MB; each device receives and sends 2 MB at 1 GB/s.
        Assert.That(rows[3].Migration.CopiesMoved, Is.EqualTo(4));
        Assert.That(rows[3].Migration.Bytes, Is.EqualTo(4 * problem.ExpertWeightBytes));
        Assert.That(rows[3].Migration.Seconds, Is.EqualTo(2e-3).Within(1e-9).Percent);
        // MoE time of window 3 by hand (20 tokens = one step, scale 1; all from request 3, so origin d1; 1 µs per
        // token-pair; 1,000 B per token at 1 GB/s = 1 µs per token moved; 2 copies x 0.5 µs never dominate):
        //   static, d0 = {e0 6, e3 10} = 16 tokens, d1 = {e1 1, e2 3} = 4.
        //     layer 0: d1 dispatches d0's 16 tokens: d0 16 µs compute + 16 µs in = 32 µs; d1 4 + 16 out = 20 µs -> 32 µs.
        //     layer 1 (same placement, last): tokens stay, d0 returns its 16 to d1: again 32 µs. Total 64 µs.
        //   re-placed, d0 = {e3 10, e1 1} = 11, d1 = {e0 6, e2 3} = 9.
        //     layer 0: d0 11 + 11 in = 22 µs; d1 9 + 11 out = 20 µs -> 22 µs; layer 1 the same. Total 44 µs.
        //   gain 64 - 44 = 20 µs per step; break-even 2 ms / 20 µs = 100 serving steps;
        //   amortised over 1000 steps: 44 µs + 2 ms / 1000 = 46 µs < 64 µs, pays off.
        Assert.That(rows[3].Static.MoeSecondsPerStep, Is.EqualTo(64e-6).Within(1e-9).Percent);
        Assert.That(rows[3].Replaced.MoeSecondsPerStep, Is.EqualTo(44e-6).Within(1e-9).Percent);
        Assert.That(rows[3].GainSecondsPerStep, Is.EqualTo(20e-6).Within(1e-9).Percent);
        Assert.That(rows[3].ReplacedAmortisedSecondsPerStep, Is.EqualTo(46e-6).Within(1e-9).Percent);
        Assert.That(rows[3].BreakEvenServingSteps, Is.EqualTo(100).Within(1e-9).Percent);
        Assert.That(rows[3].PaysOff, Is.True);
        Assert.That(rows[0].PaysOff, Is.False, "window 0 is not re-placed");
    }

    [Test]
    public void SeededTraceWhoseHotExpertsMove_ReplacedWinsOnMaxLoadInEveryWindowAfterTheShift()
    {
        // 48 requests routed by one seeded Zipf router, then 32 by a router with another seed (other hot experts per layer).
        // Holdout 0.5: the first 40 requests fit the static placement; the scored 8 + 32 requests make 5 windows of 32 steps,
        // window 0 before the shift and windows 1-4 after it.
        var a = new SyntheticRouterConfig { NumMoeLayers = 4, NumExperts = 16, TopK = 2, ZipfExponent = 1.2, Seed = 11 };
        var b = a with { Seed = 12 };
        var steps = SyntheticTrace.Generate(a, 48, 4, 8);
        foreach (var s in SyntheticTrace.Generate(b, 32, 4, 8))
        {
            s.RequestId += 48;
            steps.Add(s);
        }
        var shape = SyntheticTrace.ShapeOf(a);
        var problem = PlacementFixtures.Problem(4, extraReplicas: 4, tokensPerDevice: 64);
        var (fit, _) = HeldOutSplit.Split(steps, shape, 4, 0.5);
        var greedy = new GreedyReplicationStrategy();
        var staticPlacement = greedy.Place(fit, problem).Placement;
        var windows = TraceWindows.Plan(steps, shape, 4, 0.5, 5);
        var rows = WindowedPlacement.Run(greedy, staticPlacement, windows.Statistics(), problem, 1000, windows.Count);
        Assert.That(rows.Select(r => r.TraceSteps), Is.All.EqualTo(32));
        // Window 1 is placed from window 0, still before the shift; windows 2-4 from traffic after it.
        foreach (var r in rows.Skip(2))
        {
            Assert.That(r.Replaced.MaxDeviceLoadTokens, Is.LessThan(r.Static.MaxDeviceLoadTokens * 0.9), $"window {r.Window}");
            Assert.That(r.Migration.Bytes, Is.EqualTo(r.Migration.CopiesMoved * problem.ExpertWeightBytes), $"window {r.Window}");
        }
        Assert.That(rows[2].Migration.CopiesMoved, Is.GreaterThan(0));
        // Same inputs, same table (determinism).
        var again = WindowedPlacement.Run(greedy, staticPlacement, TraceWindows.Plan(steps, shape, 4, 0.5, 5).Statistics(), problem, 1000, 5);
        Assert.That(PlacementWindowTable.ToCsv(again), Is.EqualTo(PlacementWindowTable.ToCsv(rows)));
    }

    [Test]
    public void Summary_StatesTheVerdictAndBreakEven()
    {
        // The hand trace above: only window 3 gains (window 2 is placed from traffic before the shift).
        var shape = PlacementFixtures.Shape(2, 4, 1);
        var problem = PlacementFixtures.Problem(2, tokensPerDevice: 10);
        int[] before = [10, 6, 3, 1], after = [6, 1, 3, 10];
        var steps = new List<RoutingStep> { Window(0, before), Window(1, before), Window(2, after), Window(3, after) };
        var greedy = new GreedyReplicationStrategy();
        var staticPlacement = greedy.Place(PlacementFixtures.Stats(shape, 2, Window(9, before)), problem).Placement;
        var rows = WindowedPlacement.Run(greedy, staticPlacement, TraceWindows.Plan(steps, shape, 2, 0, 4).Statistics(), problem, 1e6, 4);
        var summary = string.Join('\n', PlacementWindowTable.Summary(rows));
        // Windows 1 and 2 gain nothing and move nothing; window 3 gains 64 - 44 = 20 µs per step for a 2 ms migration
        // (worked out in the test above): 2e-3 / 20e-6 = 100 serving steps.
        Assert.That(summary, Does.Contain("re-placement pays off (1 of 3 windows)").And.Contain("break-even at 100 serving steps per window"));
        Assert.That(summary, Does.Contain("0.004 GB moved in 3 re-placements"), "4 copies x 1 MB");
        var csv = PlacementWindowTable.ToCsv(rows).Split('\n');
        Assert.That(csv[0], Does.StartWith("window,trace_steps,tokens,"));
        Assert.That(csv[1], Does.EndWith(",,"), "window 0: no break-even or verdict");
        Assert.That(csv[3], Does.EndWith(",never,no"), "window 2: nothing moved, nothing gained");
        Assert.That(csv[4], Does.EndWith(",yes"));
        // With a window of 10 serving steps the 2 ms migration is not repaid: 44 µs + 2 ms / 10 = 244 µs > 64 µs.
        var shortWindows = WindowedPlacement.Run(greedy, staticPlacement, TraceWindows.Plan(steps, shape, 2, 0, 4).Statistics(), problem, 10, 4);
        Assert.That(shortWindows[3].ReplacedAmortisedSecondsPerStep, Is.EqualTo(244e-6).Within(1e-9).Percent);
        Assert.That(shortWindows[3].PaysOff, Is.False);
        Assert.That(rows[3].PaysOff, Is.True, "over 1e6 serving steps: 44 µs + 2 ns < 64 µs");
        Assert.That(string.Join('\n', PlacementWindowTable.Summary(shortWindows)), Does.Contain("does not pay off"));
    }
}
