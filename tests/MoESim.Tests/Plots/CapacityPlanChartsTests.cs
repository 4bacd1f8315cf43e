using MoESim.Planning;
using MoESim.Plots;

namespace MoESim.Tests.Plots;

[TestFixture]
public sealed class CapacityPlanChartsTests
{
    private static readonly CapacityCandidate Gpu = new() { Name = "gpu", DevicePath = "gpu.yaml", DevicesPerReplica = 1, PricePerHourUsd = 2 };
    private static readonly CapacityCandidate Big = new() { Name = "big", DevicePath = "big.yaml", DevicesPerReplica = 1, PricePerHourUsd = 5 };

    private static CapacityPlanRow Row(CapacityCandidate c, int n, double tpotMs, bool meets, string note = "") => new()
    {
        Candidate = c, Replicas = n, TpotSeconds = tpotMs / 1e3, TtftSeconds = 0.05, OutputTokensPerSecond = 100, MeetsObjective = meets, Note = note,
    };

    private static CapacityPlan Plan(params CapacityPlanRow[] rows) => new() { ModelName = "m", Objective = new LatencyObjective { TpotSeconds = 0.02 }, Rows = rows };

    [Test]
    public void TpotChart_HasACurvePerCandidate_TheLimit_AndTheChoiceRinged()
    {
        var plan = Plan(Row(Gpu, 1, 40, false), Row(Gpu, 2, 18, true), Row(Big, 1, 15, true), Row(Big, 2, 12, true));
        var data = CapacityPlanCharts.Chart(plan, ttft: false, "t")!;
        Assert.That(data.Series.Select(s => s.Name), Is.EqualTo(new[]
        {
            "gpu (1-2 replicas)", "big (1-2 replicas)", "objective: TPOT p90 ≤ 20 ms", "cheapest meeting it: 2 × gpu, $4.00/h",
        }));
        Assert.That(data.Series[0].Xs, Is.EqualTo(new[] { 2.0, 4.0 }));
        Assert.That(data.Series[0].Ys, Is.EqualTo(new[] { 40.0, 18.0 }).Within(1e-9));
        var limit = data.Series[2];
        Assert.That((limit.Dashed, limit.Marker, limit.Xs, limit.Ys), Is.EqualTo((true, SeriesMarker.None, new[] { 2.0, 10.0 }, new[] { 20.0, 20.0 })));
        Assert.That((data.Series[3].Marker, data.Series[3].Xs[0], data.Series[3].Ys[0]), Is.EqualTo((SeriesMarker.OpenCircle, 4.0, 18.0)).Within(1e-9));
        Assert.That(data.LogY, Is.False, "40 ms over 12 ms is no reason for a log axis");
    }

    [Test]
    public void OptionsNotSimulated_AreLeftOut_AndAWideRangeGoesLog()
    {
        var plan = Plan(Row(Gpu, 1, double.NaN, false, "does not fit"), Row(Big, 1, 400, false), Row(Big, 2, 15, true));
        var data = CapacityPlanCharts.Chart(plan, ttft: false, "t")!;
        Assert.That(data.Series[0].Name, Is.EqualTo("big (1-2 replicas)"));
        Assert.That(data.LogY, Is.True);
        Assert.That(CapacityPlanCharts.Chart(Plan(Row(Gpu, 1, double.NaN, false, "does not fit")), ttft: false, "t"), Is.Null);
    }

    [Test]
    public void Save_WritesTheTtftChartOnlyWithATtftLimit()
    {
        var folder = ChartTestSupport.NewTempFolder();
        try
        {
            var plan = Plan(Row(Gpu, 1, 40, false), Row(Gpu, 2, 18, true));
            Assert.That(CapacityPlanCharts.Save(plan, "t", folder).Select(f => Path.GetFileName(f.PngPath)), Is.EqualTo(new[] { "capacity_tpot.png" }));
            var withTtft = plan with { Objective = plan.Objective with { TtftSeconds = 0.1 } };
            Assert.That(CapacityPlanCharts.Save(withTtft, "t", folder).Select(f => Path.GetFileName(f.PngPath)), Is.EqualTo(new[] { "capacity_tpot.png", "capacity_ttft.png" }));
            Assert.That(File.ReadAllText(Path.Combine(folder, "capacity_ttft.svg")), Does.Contain("TTFT p90"));
        }
        finally
        {
            ChartTestSupport.DeleteFolder(folder);
        }
    }
}
