using MoESim.Cost;
using MoESim.Units;

namespace MoESim.Tests.Cost;

[TestFixture]
public class RooflineTimeModelTests
{
    private static OperatorWork Work(double flops, double bytes, DataType type = DataType.Bf16, int kernels = 1) => new()
    {
        Name = "op", Kind = OperatorKinds.ExpertFfn, Flops = flops, WeightBytes = bytes, ActivationBytes = 0, KvCacheBytes = 0,
        ComputeType = type, Kernels = kernels,
    };

    [Test]
    public void ComputeBound_TimeIsFlopsOverPeak()
    {
        // 1e12 FLOPs at 100 TFLOP/s = 10 ms; 1e9 bytes at 1 TB/s = 1 ms; max = 10 ms.
        var model = new RooflineTimeModel(CostTestModels.RoundDevice());
        Assert.That(model.Seconds(Work(1e12, 1e9)), Is.EqualTo(0.010).Within(1e-9).Percent);
    }

    [Test]
    public void MemoryBound_TimeIsBytesOverBandwidth()
    {
        // 1e9 FLOPs = 10 us; 5e9 bytes at 1 TB/s = 5 ms.
        var model = new RooflineTimeModel(CostTestModels.RoundDevice());
        Assert.That(model.Seconds(Work(1e9, 5e9)), Is.EqualTo(0.005).Within(1e-9).Percent);
    }

    [Test]
    public void EfficienciesAndLaunchOverheadApply()
    {
        // Compute at 50%: 1e12 / 50e12 = 20 ms; plus 2 kernels x 4 us = 20.008 ms.
        var model = new RooflineTimeModel(CostTestModels.RoundDevice(computeEfficiency: 0.5, launchSeconds: 4e-6));
        Assert.That(model.Seconds(Work(1e12, 1e9, kernels: 2)), Is.EqualTo(0.020008).Within(1e-9).Percent);
    }

    [Test]
    public void Fp8RunsAtFp8Peak()
    {
        // 1e12 FLOPs at 200 TFLOP/s fp8 = 5 ms.
        var model = new RooflineTimeModel(CostTestModels.RoundDevice());
        Assert.That(model.Seconds(Work(1e12, 1e6, DataType.Fp8)), Is.EqualTo(0.005).Within(1e-9).Percent);
    }

    [Test]
    public void Int8WithoutUnits_FallsBackToBf16NotFp8()
    {
        // The round device has bf16 and fp8 only: int8 math runs at the bf16 rate, 100 TFLOP/s.
        var device = CostTestModels.RoundDevice();
        Assert.That(device.PeakFor(DataType.Int8), Is.EqualTo(100e12));
        Assert.That(device.PeakFor(DataType.Fp32), Is.EqualTo(100e12), "no fp32 peak listed: slowest listed rate");
    }
}
