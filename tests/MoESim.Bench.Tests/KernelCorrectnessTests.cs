using MoESim.Bench.Cases;
using MoESim.Bench.Kernels;

namespace MoESim.Bench.Tests;

/// <summary>Every kernel on the CPU accelerator against its plain C# reference, at small odd shapes that exercise bounds.</summary>
[TestFixture]
public sealed class KernelCorrectnessTests
{
    private const double Tolerance = 1e-4;

    private static void AssertCorrect(BenchCase benchCase)
    {
        using (benchCase)
        {
            Assert.That(benchCase.MaxRelativeError(), Is.LessThan(Tolerance));
        }
    }

    [TestCase(1, 7, 9, false)]
    [TestCase(5, 33, 17, false)]
    [TestCase(1, 7, 9, true)]
    [TestCase(6, 10, 13, true)]
    public void Gemm(int m, int n, int k, bool tiled) => AssertCorrect(new GemmCase(CpuKernels.Set, 1, m, n, k, tiled) { CheckSamples = int.MaxValue });

    [TestCase(13, 21)]
    public void Gemv(int n, int k) => AssertCorrect(new GemvCase(CpuKernels.Set, 2, n, k) { CheckSamples = int.MaxValue });

    [TestCase(StreamOp.Read, 1000)]
    [TestCase(StreamOp.Write, 1000)]
    [TestCase(StreamOp.Copy, 1000)]
    public void Stream(StreamOp op, long elements) => AssertCorrect(new StreamCase(CpuKernels.Set, 3, op, elements) { CheckSamples = int.MaxValue });

    [TestCase(3, 16, 24)]
    public void SwiGlu(int m, int h, int i) => AssertCorrect(new SwiGluCase(CpuKernels.Set, 4, m, h, i) { CheckSamples = int.MaxValue });

    [TestCase(false)]
    [TestCase(true)]
    public void GroupedFfn(bool withDispatch)
    {
        var routing = new SkewedRouting(tokens: 6, topK: 2, experts: 4, zipfExponent: 1.2, seed: 5);
        AssertCorrect(new GroupedFfnCase(CpuKernels.Set, 5, routing, 16, 8, withDispatch) { CheckSamples = int.MaxValue });
    }

    [Test]
    public void GatherAndCombine()
    {
        var routing = new SkewedRouting(tokens: 9, topK: 3, experts: 5, zipfExponent: 1.0, seed: 6);
        AssertCorrect(new GatherCase(CpuKernels.Set, 6, routing, 12) { CheckSamples = int.MaxValue });
        AssertCorrect(new CombineCase(CpuKernels.Set, 7, routing, 12) { CheckSamples = int.MaxValue });
    }

    [TestCase(2, 4, 2, 8, 5)]
    [TestCase(1, 2, 2, 4, 17)]
    public void AttentionDecode(int batch, int heads, int kvHeads, int headDim, int context) =>
        AssertCorrect(new AttentionDecodeCase(CpuKernels.Set, 8, new AttentionShape(batch, heads, kvHeads, headDim, context)) { CheckSamples = int.MaxValue });
}
