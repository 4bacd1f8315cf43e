using MoESim.Config;
using MoESim.Planning;
using MoESim.Serving;
using MoESim.Tests.Config;

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
        Assert.That(ex.Errors.Select(e => e.Field), Is.EquivalentTo(new[] { "slo_percentile", "tpot_slo", "max_replicas", "load_scale", "candidates" }));
    }
}
