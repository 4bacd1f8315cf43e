using MoESim.Bench.Suite;

namespace MoESim.Bench.Tests;

[TestFixture]
public sealed class BenchSuiteMemoryTests
{
    private static CaseSpec Spec(double deviceBytes) => new()
    {
        Family = "attention_decode", Variant = "v", Shape = "s", Components = [], Fit = true, AllocatedBytes = deviceBytes,
        Create = (_, _) => throw new InvalidOperationException("not built in this test"),
    };

    // 40% of 24 GB = 9.6 GB. On the CPU accelerator device buffers live in host memory beside the
    // host reference copies, so a case needs twice its device bytes: 4.3 GB → 8.6 GB fits, 4.9 GB → 9.8 GB does not.
    [TestCase(4.3e9, false, false)]
    [TestCase(4.9e9, false, true)]
    // On a GPU with 80 GB the device bytes are compared with the device (32 GB) and the host copies with the host.
    [TestCase(9.0e9, true, false)]
    [TestCase(33e9, true, true)]
    public void CpuCountsHostCopies_GpuChecksBothMemories(double deviceBytes, bool isGpu, bool skipped)
    {
        var problem = BenchSuite.MemoryProblem(Spec(deviceBytes), isGpu, deviceMemoryBytes: isGpu ? 80e9 : 24e9, hostMemoryBytes: 24e9, fraction: 0.4);
        Assert.That(problem is not null, Is.EqualTo(skipped), problem ?? "fits");
    }

    [Test]
    public void GpuCaseWhoseHostCopiesDoNotFitTheHost_IsSkippedWithHostReason()
    {
        var problem = BenchSuite.MemoryProblem(Spec(12e9), isGpu: true, deviceMemoryBytes: 80e9, hostMemoryBytes: 24e9, fraction: 0.4);
        Assert.That(problem, Does.Contain("host memory"));
    }
}
