using MoESim.Config;
using MoESim.Hardware;
using MoESim.Hardware.Topology;
using MoESim.Tests.Config;

namespace MoESim.Tests.Topology;

/// <summary>Nodes with accelerators of any kind and host CPUs: vertex names, host links, and accelerator routes left as they were.</summary>
[TestFixture]
public sealed class HostCpuTopologyTests
{
    private TempFolder _temp = null!;

    [SetUp]
    public void SetUp() => _temp = new TempFolder();

    [TearDown]
    public void TearDown() => _temp.Delete();

    private static string Profile(string file) => Path.Combine(RepoPaths.HardwareProfiles, file);

    /// <summary>The shipped dgx-h100.yaml with absolute device paths and, unless <paramref name="keepHostCpus"/>, no host_cpus block.</summary>
    private string WriteDgxCopy(bool keepHostCpus)
    {
        var lines = File.ReadAllText(SystemProfiles.PathOf("dgx-h100")).ReplaceLineEndings("\n").Split('\n').ToList();
        if (!keepHostCpus)
        {
            int at = lines.FindIndex(l => l.StartsWith("host_cpus:", StringComparison.Ordinal));
            Assert.That(at, Is.GreaterThan(0), "test setup: dgx-h100.yaml has host_cpus");
            lines.RemoveRange(at, 3);
        }
        var text = string.Join('\n', lines).Replace("../", RepoPaths.HardwareProfiles + "/", StringComparison.Ordinal);
        return _temp.Write("dgx-h100.yaml", text);
    }

    private static string[][] AllRoutes(SystemTopology s)
    {
        var routes = new List<string[]>();
        for (int a = 0; a < s.DeviceCount; a++)
            for (int b = 0; b < s.DeviceCount; b++)
                routes.Add(s.Route(a, b).ToArray().Select(l => $"{s.Links[l].Name}@{l}").ToArray());
        return routes.ToArray();
    }

    [Test]
    public void Dgx_h100_gpus_reach_their_socket_over_their_pcie_host_link()
    {
        var s = SystemProfiles.DgxH100;
        Assert.That(s.DeviceCount, Is.EqualTo(8), "host CPUs are not devices");
        Assert.That(s.HostCpus, Has.Count.EqualTo(2));
        Assert.That(s.HostCpus.Select(c => (c.Index, c.Name, c.Machine, c.Profile.Name)),
            Is.EqualTo(new[] { (0, "cpu0", 0, "intel-xeon-8480c"), (1, "cpu1", 0, "intel-xeon-8480c") }));
        Assert.That(s.HostCpus.Select(c => s.Nodes[c.NodeIndex].Kind), Is.All.EqualTo(TopologyNodeKind.HostCpu));
        Assert.That(s.HostCpus.Select(c => s.Nodes[c.NodeIndex].GpuIndex), Is.All.EqualTo(-1));
        // Accelerator i goes to CPU i x 2 / 8: gpu0-3 on cpu0, gpu4-7 on cpu1.
        Assert.That(Enumerable.Range(0, 8).Select(i => s.HostCpuOf(i)!.Name), Is.EqualTo(new[] { "cpu0", "cpu0", "cpu0", "cpu0", "cpu1", "cpu1", "cpu1", "cpu1" }));
        var up = s.Links.Single(l => l.Name == "host_link:gpu5>cpu1");
        var down = s.Links.Single(l => l.Name == "host_link:cpu1>gpu5");
        foreach (var link in new[] { up, down })
        {
            Assert.That(link.BandwidthBytesPerSecond, Is.EqualTo(63e9).Within(1e-9).Percent, "h100-sxm.yaml host_link, per direction");
            Assert.That(link.LatencySeconds, Is.EqualTo(2e-6).Within(1e-9).Percent);
        }
        Assert.That(s.Nodes[up.From].Name, Is.EqualTo("gpu5"));
        Assert.That(s.Nodes[up.To].Name, Is.EqualTo("cpu1"));
    }

    [Test]
    public void Host_links_change_no_accelerator_route_in_a_node()
    {
        var with = SystemProfileLoader.Load(WriteDgxCopy(keepHostCpus: true));
        var without = SystemProfileLoader.Load(WriteDgxCopy(keepHostCpus: false));
        Assert.That(without.HostCpus, Is.Empty);
        Assert.That(without.HostCpuOf(0), Is.Null);
        Assert.That(with.Links.Take(without.Links.Count).Select(l => l.Name), Is.EqualTo(without.Links.Select(l => l.Name)), "existing links keep their indices");
        Assert.That(AllRoutes(with), Is.EqualTo(AllRoutes(without)));
        Assert.That(AllRoutes(SystemProfiles.DgxH100), Is.EqualTo(AllRoutes(without)));
    }

    [Test]
    public void Host_links_change_no_accelerator_route_in_a_cluster()
    {
        WriteDgxCopy(keepHostCpus: false);
        var cluster = File.ReadAllText(SystemProfiles.PathOf("dgx-h100-2node"));
        var without = SystemProfileLoader.Load(_temp.Write("cluster.yaml", cluster));
        var with = SystemProfiles.DgxH100TwoNodes;
        Assert.That(with.HostCpus, Has.Count.EqualTo(4));
        Assert.That(with.Links.Take(without.Links.Count).Select(l => l.Name), Is.EqualTo(without.Links.Select(l => l.Name)));
        Assert.That(AllRoutes(with), Is.EqualTo(AllRoutes(without)));
        for (int a = 0; a < with.DeviceCount; a++)
        {
            for (int b = 0; b < with.DeviceCount; b++)
            {
                Assert.That(with.RouteLatencySeconds(a, b), Is.EqualTo(without.RouteLatencySeconds(a, b)));
                Assert.That(with.RouteBandwidthBytesPerSecond(a, b), Is.EqualTo(without.RouteBandwidthBytesPerSecond(a, b)));
            }
        }
    }

    [Test]
    public void Cluster_host_cpus_are_numbered_node_by_node()
    {
        var s = SystemProfiles.DgxH100FourNodes;
        Assert.That(s.HostCpus.Select(c => c.Name), Is.EqualTo(new[] { "n0.cpu0", "n0.cpu1", "n1.cpu0", "n1.cpu1", "n2.cpu0", "n2.cpu1", "n3.cpu0", "n3.cpu1" }));
        Assert.That(s.HostCpus.Select(c => c.Machine), Is.EqualTo(new[] { 0, 0, 1, 1, 2, 2, 3, 3 }));
        Assert.That(s.HostCpuOf(9)!.Name, Is.EqualTo("n1.cpu0"));
        Assert.That(s.HostCpuOf(31)!.Name, Is.EqualTo("n3.cpu1"));
        Assert.That(s.Links.Count(l => l.Name.StartsWith("host_link:", StringComparison.Ordinal)), Is.EqualTo(2 * 32));
    }

    /// <summary>A node of two accelerators of <paramref name="device"/> on switch sw (lines 2-3 the accelerators, then <paramref name="extra"/>).</summary>
    private string WriteNode(string device, string group = "gpu", string extra = "", string acceleratorsKey = "accelerators") => _temp.Write("node.yaml", $$"""
        name: n
        {{acceleratorsKey}}: {{device}}
        {{extra}}
        switches: [{name: sw, latency_us: 0}]
        links:
          - {name: l, from: "{{group}}[*]", to: sw, bandwidth_gb_per_s: 100, latency_us: 1}
        power_watts: 1
        price_per_hour_usd: 0
        """);

    [Test]
    public void Old_gpus_key_says_to_rename_it()
    {
        var path = WriteNode($"{{count: 2, device: {Profile("h100-sxm.yaml")}}}", acceleratorsKey: "gpus");
        var ex = Assert.Throws<InputException>(() => SystemProfileLoader.Load(path))!;
        Assert.That(ex.Errors, Has.Count.EqualTo(1), "one error, not also 'accelerators: missing' or 'gpus: unknown field'");
        Assert.That(ex.Message, Does.StartWith($"{path}:2:1: gpus: the old layout: rename gpus: to accelerators:"));
    }

    [Test]
    public void Old_gpus_key_in_a_clusters_node_names_the_node_file()
    {
        var node = WriteNode($"{{count: 2, device: {Profile("h100-sxm.yaml")}}}", acceleratorsKey: "gpus");
        var cluster = _temp.Write("cluster.yaml", "name: c\nnode: node.yaml\nnodes: 2\nlinks: []\npower_watts: 0\nprice_per_hour_usd: 0\n");
        var ex = Assert.Throws<InputException>(() => SystemProfileLoader.Load(cluster))!;
        Assert.That(ex.Message, Does.Contain($"{YamlDocumentLoader.DisplayPath(node)}:2:1: gpus: the old layout"));
    }

    [Test]
    public void A_cpu_profile_is_not_an_accelerator_and_a_gpu_profile_not_a_host_cpu()
    {
        var path = WriteNode($"{{count: 2, device: {Profile("intel-xeon-8480c.yaml")}}}",
            extra: $"host_cpus: {{count: 1, device: {Profile("h100-sxm.yaml")}}}");
        var ex = Assert.Throws<InputException>(() => SystemProfileLoader.Load(path))!;
        Assert.That(ex.Message, Does.Contain($"{path}:2:15: accelerators: 'intel-xeon-8480c' is a cpu device profile: list CPUs under host_cpus:"));
        Assert.That(ex.Message, Does.Contain($"{path}:3:12: host_cpus: 'h100-sxm' is a gpu device profile: host CPUs need a kind: cpu profile"));
    }

    [Test]
    public void Npu_accelerators_are_named_npu_and_linked_as_npu_group()
    {
        var npu = File.ReadAllText(Profile("h100-sxm.yaml")).ReplaceLineEndings("\n")
            .Replace("name: h100-sxm\nkind: gpu\n", "name: npu\nkind: npu\n", StringComparison.Ordinal)
            .Replace("kind: gpu-tensor-core", "kind: npu-cube", StringComparison.Ordinal)
            .Replace("kind: gpu-cuda-core", "kind: npu-vector", StringComparison.Ordinal);
        var device = _temp.Write("npu.yaml", npu);
        var s = SystemProfileLoader.Load(WriteNode($"{{count: 2, device: {device}}}", group: "npu",
            extra: $"host_cpus: {{count: 1, device: {Profile("intel-xeon-8480c.yaml")}}}"));
        Assert.That(s.Devices.Select(d => d.Name), Is.EqualTo(new[] { "npu0", "npu1" }));
        Assert.That(s.Devices.Select(d => s.Nodes[d.NodeIndex].Kind), Is.All.EqualTo(TopologyNodeKind.Npu));
        Assert.That(s.Devices[0].Profile.PrimaryUnit.Kind, Is.EqualTo(ComputeUnitKind.NpuCube));
        Assert.That(s.Route(0, 1).ToArray().Select(l => s.Links[l].Name), Is.EqualTo(new[] { "l:npu0>sw", "l:sw>npu1" }));
        Assert.That(s.HostCpuOf(1)!.Name, Is.EqualTo("cpu0"));

        var wrongGroup = WriteNode($"{{count: 2, device: {device}}}", group: "gpu");
        Assert.That(Assert.Throws<InputException>(() => SystemProfileLoader.Load(wrongGroup))!.Message, Does.Contain("links[0].from: 'gpu[*]' names no"));
    }

    [Test]
    public void Host_cpus_never_forward_traffic_between_accelerators()
    {
        // Two GPUs whose only path runs gpu0 -> cpu0 (host link) -> cpu1 (a UPI link) -> gpu1:
        // CPUs are not transit hops, so the GPUs do not reach each other.
        var path = _temp.Write("node.yaml", $$"""
            name: n
            accelerators: {count: 2, device: {{Profile("h100-sxm.yaml")}}}
            host_cpus: {count: 2, device: {{Profile("intel-xeon-8480c.yaml")}}}
            links:
              - {name: upi, from: "cpu[0]", to: "cpu[1]", bandwidth_gb_per_s: 64, latency_us: 0.1}
            power_watts: 1
            price_per_hour_usd: 0
            """);
        var ex = Assert.Throws<InputException>(() => SystemProfileLoader.Load(path))!;
        Assert.That(ex.Message, Does.Contain("no route from gpu0 to gpu1"));
    }

    [Test]
    public void A_cpu_group_with_no_cpus_names_nothing()
    {
        var path = WriteNode($"{{count: 2, device: {Profile("h100-sxm.yaml")}}}", group: "cpu");
        var ex = Assert.Throws<InputException>(() => SystemProfileLoader.Load(path))!;
        Assert.That(ex.Message, Does.Contain("links[0].from: 'cpu[*]' names no"));
    }

    [Test]
    public void Builder_checks_device_kinds_and_host_links()
    {
        var gpu = DeviceProfileLoader.Load(Profile("h100-sxm.yaml"));
        var cpu = DeviceProfileLoader.Load(Profile("intel-xeon-8480c.yaml"));
        var b = new SystemTopologyBuilder();
        Assert.That(() => b.AddAccelerator("cpu9", 0, cpu), Throws.ArgumentException);
        Assert.That(() => b.AddHostCpu("gpu9", 0, gpu), Throws.ArgumentException);
        b.AddAccelerator("gpu0", 0, gpu);
        b.AddAccelerator("gpu1", 0, gpu);
        b.AddHostCpu("cpu0", 0, cpu);
        b.AddSwitch("sw", 0, 0);
        b.AddDuplexLink("nvlink", "gpu0", "sw", 1e9, 0);
        b.AddHostLink("gpu0", "cpu0");
        Assert.That(() => b.AddHostLink("gpu0", "cpu0"), Throws.ArgumentException, "one host CPU per accelerator");
        Assert.That(() => b.AddHostLink("cpu0", "gpu0"), Throws.ArgumentException);
        b.AddDuplexLink("nvlink", "gpu1", "sw", 1e9, 0);
        var s = b.Build("t", 0, 0);
        Assert.That(s.Links.Select(l => l.Name), Is.EqualTo(new[]
        {
            "nvlink:gpu0>sw", "nvlink:sw>gpu0", "nvlink:gpu1>sw", "nvlink:sw>gpu1", "host_link:gpu0>cpu0", "host_link:cpu0>gpu0",
        }), "host links come after every other link");
        Assert.That(s.HostCpuOf(0)!.Name, Is.EqualTo("cpu0"));
        Assert.That(s.HostCpuOf(1), Is.Null);
    }
}
