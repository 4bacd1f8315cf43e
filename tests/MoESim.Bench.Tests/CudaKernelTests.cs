using MoESim.Bench.Cases;
using MoESim.Bench.Kernels;

namespace MoESim.Bench.Tests;

/// <summary>The CUDA path (tiled GEMM with 16×16 tiles and the rest) where an NVIDIA GPU exists; skipped elsewhere.</summary>
[TestFixture]
[Category("Gpu")]
public sealed class CudaKernelTests
{
    private BenchAccelerator? _cuda;
    private KernelSet? _kernels;

    [OneTimeSetUp]
    public void OpenCuda()
    {
        if (!BenchAccelerator.CudaAvailable()) Assert.Ignore("no CUDA device found");
        _cuda = BenchAccelerator.Create(AcceleratorChoice.Cuda);
        _kernels = new KernelSet(_cuda);
    }

    [OneTimeTearDown]
    public void Close() => _cuda?.Dispose();

    [Test]
    public void TiledGemm_UsesFullTiles_AndMatchesReference()
    {
        Assert.That(_kernels!.Gemm.TileSize, Is.EqualTo(16));
        using var c = new GemmCase(_kernels, 1, 37, 70, 129, tiled: true) { CheckSamples = int.MaxValue };
        Assert.That(c.MaxRelativeError(), Is.LessThan(1e-4));
    }

    [Test]
    public void MoeLayer_MatchesReference()
    {
        var routing = new SkewedRouting(32, 4, 16, 1.2, 3);
        using var c = new GroupedFfnCase(_kernels!, 2, routing, 64, 96, withDispatch: true);
        Assert.That(c.MaxRelativeError(), Is.LessThan(1e-4));
    }
}
