using MoESim.Config;
using MoESim.Planning;
using MoESim.Serving;
using MoESim.Tests.Config;
using MoESim.Runs;

namespace MoESim.Tests.Planning;

/// <summary>The planner end to end on shipped models, devices and the Azure conversation trace.</summary>
[TestFixture]
public class CapacityPlannerTests
{
    private static string Model(string name) => Path.Combine(RepoPaths.Models, name + ".yaml");
    private static string Device(string name) => Path.Combine(RepoPaths.HardwareProfiles, name + ".yaml");
    private static readonly string Conversation = Path.Combine(RepoPaths.Root, "traces", "requests", "splitwise-conv-1000.csv");

    private static CapacityCandidate Candidate(string device, double price) =>
        new() { Name = device, DevicePath = Device(device), DevicesPerReplica = 1, PricePerHourUsd = price };

    private static SimulationOptions Options(string model, string device, int requests) => new()
    {
        ModelPath = Model(model),
        HardwarePath = Device(device),
        RequestTracePath = Conversation,
        MaxRequests = requests,
    };

    private static readonly LatencyObjective Loose = new() { TpotSeconds = 1.0 };

    [Test]
    public void OneReplica_IsExactlyTheSingleDeviceSimulation()
    {
        // A dense model has no router, so one replica serves the very same simulation as `simulate`.
        var options = Options("codellama-34b", "a100-80gb", 80);
        var plan = CapacityPlanner.Plan(options, [Candidate("a100-80gb", 1.79)], Loose, maxReplicas: 1);
        var run = SimulationRunner.Run(options);
        var row = plan.Rows.Single();
        Assert.That(row.TpotSeconds, Is.EqualTo(run.Metrics.Tpot.P90Seconds));
        Assert.That(row.TtftSeconds, Is.EqualTo(run.Metrics.Ttft.P90Seconds));
        Assert.That(row.OutputTokensPerSecond, Is.EqualTo(run.Metrics.OutputTokensPerSecond).Within(1e-9).Percent);
    }

    [Test]
    public void RequestsThatNeverOverlap_GetTheSameLatencyFromAnyNumberOfReplicas()
    {
        // Poisson arrivals 100 s apart on average, 256 + 32 tokens each: every request is served
        // alone (it takes well under a second), so where it runs cannot change its latency.
        var options = Options("codellama-34b", "a100-80gb", 0) with
        {
            RequestTracePath = null, MaxRequests = null, PoissonRatePerSecond = 0.01, PoissonRequests = 12,
            PromptTokensMin = 256, PromptTokensMax = 256, OutputTokensMin = 32, OutputTokensMax = 32,
        };
        var rows = CapacityPlanner.Plan(options, [Candidate("a100-80gb", 1.79)], Loose, maxReplicas: 3).Rows;
        Assert.That(rows.Select(r => r.TpotSeconds), Is.All.EqualTo(rows[0].TpotSeconds));
        Assert.That(rows.Select(r => r.TtftSeconds), Is.All.EqualTo(rows[0].TtftSeconds));
        Assert.That(rows.Select(r => r.PricePerHourUsd), Is.EqualTo(new[] { 1.79, 3.58, 5.37 }).Within(1e-12));
    }

    [Test]
    public void MoreReplicasUnderHeavyLoad_CutTheTail()
    {
        // 200 conversation requests arriving 8x as fast overload one H100; four share the load.
        var rows = CapacityPlanner.Plan(Options("mixtral-8x7b-fp8", "h100-sxm", 200), [Candidate("h100-sxm", 2.99)], Loose, 4, arrivalRateScale: 8).Rows;
        Assert.That(rows[3].TpotSeconds, Is.LessThan(rows[0].TpotSeconds));
        Assert.That(rows[3].TtftSeconds, Is.LessThan(rows[0].TtftSeconds));
    }

    [Test]
    public void ModelThatDoesNotFit_IsNotSimulated_AndTheOtherCandidateIsChosen()
    {
        // Mixtral-8x7B in bf16 is 93 GB: above 90 % of an H100's 80 GB, within an H200's 141 GB.
        var objective = new LatencyObjective { TpotSeconds = 0.2, TtftSeconds = 5 };
        var plan = CapacityPlanner.Plan(Options("mixtral-8x7b", "h100-sxm", 30), [Candidate("h100-sxm", 2.99), Candidate("h200", 3.79)], objective, 2);
        var h100 = plan.Rows.Where(r => r.Candidate.Name == "h100-sxm").ToList();
        Assert.That(h100, Has.Count.EqualTo(2));
        Assert.That(h100.Select(r => r.Note), Is.All.Contains("does not fit on"));
        Assert.That(h100.Select(r => r.TpotSeconds), Is.All.NaN);
        Assert.That(h100.Select(r => r.MeetsObjective), Is.All.False);
        Assert.That(plan.Best?.Candidate.Name, Is.EqualTo("h200"));
        Assert.That(plan.Best?.Replicas, Is.EqualTo(1));
    }

    [Test]
    public void ReplayedRouting_OneReplicaIsExactlyTheSimulation_AndReplicasReplayByRequestId()
    {
        // Replay draws nothing at random, so an MoE model replayed on one replica is the very
        // simulation `simulate --trace` runs; with two, each replica replays its requests' own
        // trace requests (by id), so the plan runs and every request is counted.
        var options = Options("mixtral-8x7b-fp8", "h100-sxm", 60) with
        {
            RoutingTracePath = Path.Combine(RepoPaths.Root, "traces", "samples", "mixtral-8x7b.moetrace"),
        };
        var rows = CapacityPlanner.Plan(options, [Candidate("h100-sxm", 2.99)], Loose, 2, arrivalRateScale: 1).Rows;
        var run = SimulationRunner.Run(options);
        Assert.That(rows[0].TpotSeconds, Is.EqualTo(run.Metrics.Tpot.P90Seconds));
        Assert.That(rows[0].TtftSeconds, Is.EqualTo(run.Metrics.Ttft.P90Seconds));
        Assert.That(rows[1].TpotSeconds, Is.Not.NaN);
    }

    [Test]
    public void RequestLongerThanAReplicasKvCache_MarksTheCandidateNotSimulated()
    {
        // One 400,000-token request cannot hold its KV cache on an H100 (Mixtral fp8: 128 kB per
        // token, ~25 GB of cache) nor on any number of them: listed, not an error.
        var options = Options("mixtral-8x7b-fp8", "h100-sxm", 0) with
        {
            RequestTracePath = null, MaxRequests = null, PoissonRatePerSecond = 1, PoissonRequests = 1,
            PromptTokensMin = 400_000, PromptTokensMax = 400_000, OutputTokensMin = 2, OutputTokensMax = 2,
        };
        var rows = CapacityPlanner.Plan(options, [Candidate("h100-sxm", 2.99)], Loose, 2).Rows;
        Assert.That(rows.Select(r => r.Note), Is.All.Contains("tokens of KV cache"));
        Assert.That(rows.Select(r => r.MeetsObjective), Is.All.False);
    }

    [Test]
    public void Throughput_SpansTheWholeFleet_FromFirstArrivalToLastFinish()
    {
        // Two requests 100 s apart on two replicas: each replica's own makespan is one short
        // request, but the fleet served 2 × 31 tokens over ~100 s.
        var options = Options("codellama-34b", "a100-80gb", 0) with
        {
            RequestTracePath = null, MaxRequests = null, PoissonRatePerSecond = 0.01, PoissonRequests = 2,
            PromptTokensMin = 64, PromptTokensMax = 64, OutputTokensMin = 32, OutputTokensMax = 32,
        };
        var requests = SimulationRunner.LoadRequests(options, new MoESim.Randomness.SeededRandom(options.Seed));
        var row = CapacityPlanner.Plan(options, [Candidate("a100-80gb", 1.79)], Loose, 2).Rows[1];
        var span = requests[1].ArrivalSeconds - requests[0].ArrivalSeconds;
        Assert.That(span, Is.GreaterThan(1), "the two requests are far apart");
        Assert.That(row.OutputTokensPerSecond, Is.LessThan(64 / span).And.GreaterThan(64 / (span + 10)));
    }

    [Test]
    public void SameInputs_GiveIdenticalPlans()
    {
        var options = Options("mixtral-8x7b-fp8", "h100-sxm", 60) with { RouterZipfExponent = 1.2 };
        var a = CapacityPlanner.Plan(options, [Candidate("h100-sxm", 2.99)], Loose, 2, 4).Rows;
        var b = CapacityPlanner.Plan(options, [Candidate("h100-sxm", 2.99)], Loose, 2, 4).Rows;
        Assert.That(b, Is.EqualTo(a));
    }

    [Test]
    public void BadPlanInputs_AreReportedTogether()
    {
        var bad = new LatencyObjective { Percentile = 75, TpotSeconds = -1 };
        var ex = Assert.Throws<InputException>(() => CapacityPlanner.Plan(Options("mixtral-8x7b-fp8", "h100-sxm", 5), [], bad, 0, -2))!;
        Assert.That(ex.Errors.Select(e => e.Field), Is.EquivalentTo(new[] { "slo_percentile", "tpot_slo_ms", "max_replicas", "load_scale", "candidates" }));
        var free = Candidate("h100-sxm", 0);
        ex = Assert.Throws<InputException>(() => CapacityPlanner.Plan(Options("mixtral-8x7b-fp8", "h100-sxm", 5), [free], Loose, 1))!;
        Assert.That(ex.Errors.Single().ToString(), Does.Contain("h100-sxm.yaml").And.Contain("price_per_hour_usd: a capacity plan needs a price above 0"));
    }
}
