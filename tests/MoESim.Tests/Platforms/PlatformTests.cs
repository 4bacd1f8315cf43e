using MoESim.Engine;
using MoESim.Hardware;
using MoESim.Hardware.Topology;
using MoESim.Platforms;
using MoESim.Tests.Config;
using MoESim.Units;

namespace MoESim.Tests.Platforms;

[TestFixture]
public class PlatformTests
{
    private static DeviceProfile H100 => DeviceProfileLoader.Load(Path.Combine(RepoPaths.HardwareProfiles, "h100-sxm.yaml"));

    [Test]
    public void A_dgx_node_becomes_eight_gpus_their_memory_tiers_host_links_and_the_nvlink_fabric()
    {
        var system = SystemProfileLoader.Load(Path.Combine(RepoPaths.HardwareProfiles, "systems", "dgx-h100.yaml"));
        var platform = Platform.ForSystem(system, new Simulator());
        Assert.That(platform.Devices, Has.Count.EqualTo(8));
        for (int d = 0; d < 8; d++)
        {
            var device = platform.Devices[d];
            Assert.That(device.ComputeUnitId, Is.EqualTo(d));
            Assert.That(platform.Resources.ComputeUnits[d], Is.SameAs(device.Compute));
            Assert.That(device.Name, Is.EqualTo($"gpu{d}"));
            Assert.That(device.MemoryTiers[0].CapacityBytes, Is.EqualTo((long)device.Profile.MainMemory.CapacityBytes));
        }
        // Host links: one engine link per direction per GPU, in network 0; then the fabric's link groups.
        Assert.That(platform.HostLinks.Links, Has.Count.EqualTo(16));
        Assert.That(platform.Resources.Networks[0], Is.SameAs(platform.HostLinks));
        Assert.That(platform.Resources.Networks.Skip(1), Is.EqualTo(platform.Network!.Networks));
        Assert.That(platform.Simulator, Is.SameAs(platform.Network.Simulator));
    }

    [Test]
    public void Every_unit_of_every_device_and_host_cpu_is_a_compute_resource_primaries_first()
    {
        // DGX H100: 8 GPUs (tensor cores, CUDA cores) and 2 Xeon 8480C hosts (AMX, AVX-512).
        var system = SystemProfileLoader.Load(Path.Combine(RepoPaths.HardwareProfiles, "systems", "dgx-h100.yaml"));
        var platform = Platform.ForSystem(system, new Simulator());
        Assert.That(platform.Resources.ComputeUnits, Has.Count.EqualTo(8 * 2 + 2 * 2));
        Assert.That(platform.Devices.Select(d => d.ComputeUnitId), Is.EqualTo(Enumerable.Range(0, 8)));
        var cuda = platform.Devices[3].Units[1];
        Assert.That((cuda.Profile.Kind, cuda.Unit.Name, cuda.Id), Is.EqualTo((ComputeUnitKind.GpuCudaCore, "gpu3/cuda-cores", 8 + 3)));
        Assert.That(platform.HostCpus, Has.Count.EqualTo(2));
        var amx = platform.HostCpus[1].Units[0];
        Assert.That((amx.Profile.Kind, amx.Unit.Name, amx.Id), Is.EqualTo((ComputeUnitKind.CpuAmx, "cpu1/amx", 16 + 2)));
        Assert.That(platform.Resources.ComputeUnits[amx.Id], Is.SameAs(amx.Unit));
        Assert.That(platform.HostCpus[0].MemoryTiers[0].CapacityBytes, Is.EqualTo((long)platform.HostCpus[0].Profile.MainMemory.CapacityBytes));
    }

    [Test]
    public void A_weight_fetch_over_the_host_link_overlaps_compute_on_the_device()
    {
        // H100 host link (PCIe 5.0 x16): 63 GB/s per direction, 2 us latency per the profile.
        // 630 MB of expert weights take 10 ms + latency; beside 12 ms of compute the step takes
        // 12 ms, and 22 ms + latency when the compute needs the weights first.
        var device = H100;
        double fetch = 630e6 / device.HostLink.BandwidthBytesPerSecondPerDirection + device.HostLink.LatencySeconds;
        Assert.That(fetch, Is.EqualTo(10e-3 + device.HostLink.LatencySeconds).Within(1e-6).Percent);
        foreach (bool dependent in new[] { false, true })
        {
            var platform = Platform.ForDevice(device, new Simulator());
            var gpu = platform.Devices[0];
            var graph = new TaskGraph();
            int load = graph.AddTransfer(0, 630_000_000, [gpu.FromHostLink], "expert weights");
            int compute = graph.AddCompute(gpu.ComputeUnitId, SimTime.FromSeconds(12e-3), "attention");
            if (dependent) graph.AddDependency(load, compute);
            var executor = new TaskGraphExecutor(platform.Resources);
            executor.Run(graph, null, 0);
            platform.Simulator.Run();
            double expected = dependent ? fetch + 12e-3 : 12e-3;
            Assert.That(executor.Makespan.Seconds, Is.EqualTo(expected).Within(1e-6).Percent, dependent ? "dependent" : "overlapped");
        }
    }
}
